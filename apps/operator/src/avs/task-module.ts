/**
 * Your own AVS: a task module is an ES module that tells the operator what a
 * task's request looks like, how to answer it, and (optionally) how it is
 * hashed on-chain and what is signed. The operator loads it from the path in
 * `avs.path` (config `avs.kind: "module"`); no fork of the app is needed.
 *
 * The chain side stays the TaskManager's: a task stores the hash of its
 * request (`payloadHash`), and a response is `TaskResponse { uint32
 * referenceTaskIndex; bytes result }` whose `result` is the module's response
 * encoded as bytes (`encodeResponse`).
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hexlify, isHexString, keccak256, toUtf8Bytes } from 'ethers';
import { z } from 'zod';
import { OperatorConfigError } from '../errors.js';
import type { ChainTaskResponse } from './example-avs.js';

/** What a task module exports (as named exports, or as one default-exported object). */
export interface AvsTaskModule<Request = unknown, Response = unknown> {
  /** zod schema of one task's request, as the task generator posts it to `POST /avs/v1/tasks`. */
  readonly requestSchema: z.ZodType<Request>;
  /** zod schema of the module's answer to one request; checked before it is signed. */
  readonly responseSchema: z.ZodType<Response>;
  /**
   * Computes the answer to one task. Every honest operator must compute the same answer from
   * the same request (the BLS signatures aggregate only over equal digests).
   */
  onTaskRequest(request: Request, task: { readonly taskIndex: number }): Response | Promise<Response>;
  /** The bytes put on-chain as the response's `result` (0x hex). Default: UTF-8 of `JSON.stringify(response)`. */
  readonly encodeResponse?: (response: Response) => string;
  /**
   * The hash stored on-chain with the task; followers refuse requests whose hash differs.
   * Default: keccak256 of the UTF-8 of `JSON.stringify(request)`.
   */
  readonly payloadHash?: (request: Request) => string;
  /** The digest operators sign for a response. Default: keccak256(abi.encode(TaskResponse)), what the TaskManager checks. */
  readonly digestOf?: (response: ChainTaskResponse) => string;
  /** The n-th request (n from 1) the devnet's task driver creates; needed to run the module on a devnet. */
  readonly exampleRequest?: (n: number) => Request;
  /** A short text of a response's on-chain `result`, for the devnet's screen and dashboard. */
  readonly describeResult?: (result: string) => string;
}

/** The default {@link AvsTaskModule.payloadHash}. */
export function jsonPayloadHash(request: unknown): string {
  return keccak256(toUtf8Bytes(JSON.stringify(request)));
}

/** The default {@link AvsTaskModule.encodeResponse}. */
export function jsonResponseBytes(response: unknown): string {
  return hexlify(toUtf8Bytes(JSON.stringify(response)));
}

const isSchema = (v: unknown) =>
  typeof v === 'object' && v !== null && typeof (v as { safeParse?: unknown }).safeParse === 'function';
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function');
const optionalFn = fn.optional();

/** Shape check of a loaded module's exports (the functions' behaviour is checked as they run). */
const moduleShape = z.object({
  requestSchema: z.custom((v) => isSchema(v), 'expected a zod schema'),
  responseSchema: z.custom((v) => isSchema(v), 'expected a zod schema'),
  onTaskRequest: fn,
  encodeResponse: optionalFn,
  payloadHash: optionalFn,
  digestOf: optionalFn,
  exampleRequest: optionalFn,
  describeResult: optionalFn,
});

/**
 * Imports a task module and checks its exports.
 * @param path file path (relative to `base`) or a package name
 * @throws {OperatorConfigError} naming the path and the missing or wrong export
 */
export async function loadTaskModule(path: string, base = process.cwd()): Promise<AvsTaskModule> {
  const specifier = path.startsWith('.') || isAbsolute(path) ? pathToFileURL(resolve(base, path)).href : path;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(specifier)) as Record<string, unknown>;
  } catch (cause) {
    throw new OperatorConfigError(
      `avs.path: cannot load the task module ${path}: ${(cause as Error).message.split('\n')[0]}`,
      { cause },
    );
  }
  const candidate =
    loaded.onTaskRequest === undefined && typeof loaded.default === 'object' ? loaded.default : loaded;
  const parsed = moduleShape.safeParse({ ...(candidate as object) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OperatorConfigError(
      `avs.path: the task module ${path} must export ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return candidate as AvsTaskModule;
}

/** A module's answer to one task as the TaskManager takes it, checked against its response schema. */
export async function answerTask(
  module: AvsTaskModule,
  request: unknown,
  taskIndex: number,
): Promise<ChainTaskResponse> {
  const response = module.responseSchema.parse(await module.onTaskRequest(request, { taskIndex }));
  const result = (module.encodeResponse ?? jsonResponseBytes)(response);
  if (!isHexString(result))
    throw new TypeError(`encodeResponse returned ${String(result).slice(0, 20)}, not 0x hex bytes`);
  return { referenceTaskIndex: taskIndex, result };
}

/**
 * Forgets a typed module's request and response types: the operator moves them only through
 * the module's own schemas and functions, so a typed module can be passed where any is taken.
 */
export function untypedTaskModule<Request, Response>(
  module: AvsTaskModule<Request, Response>,
): AvsTaskModule {
  return module as unknown as AvsTaskModule;
}
