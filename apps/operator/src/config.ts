/**
 * The operator's config file (JSON), validated with zod. Every mistake is
 * reported with the path of the field and what was expected.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { operatorRaftConfigSchema } from '@avs/engine';
import { isAddress } from 'ethers';
import { z } from 'zod';
import { OperatorConfigError } from './errors.js';

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { message: 'expected a 0x-prefixed 20-byte address', abort: true })
  .refine((a) => isAddress(a), 'bad EIP-55 checksum (write it all lowercase or with a correct checksum)');
const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+/, 'expected an http:// or https:// URL');
const originUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s/]+\/?$/, 'expected an origin: http(s)://host:port, without a path');

const storageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), dir: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('level'), dir: z.string().min(1) }).strict(),
  z
    .object({
      kind: z.literal('dynamodb'),
      table: z.string().min(3).max(255),
      region: z.string().default('us-east-1'),
      /** DynamoDB Local, dynalite or another compatible endpoint; default: AWS. */
      endpoint: httpUrl.optional(),
      createTableIfMissing: z.boolean().default(false),
    })
    .strict(),
]);

/**
 * The `engine` section: every field of @avs/engine's config except those the operator fills in
 * itself (URLs, operator id, cluster id), so a mistake there is found with the rest of the file.
 */
/**
 * `engine.batching`: the leader packs the requests of a short window into one batch that every
 * operator signs once and that lands in one `respondToBatch` transaction. `enabled` defaults to
 * the chain: on for this project's TaskManager, off for incredible-squaring's, which has no batch
 * call (its tasks are answered one transaction each, pipelined).
 */
export const batchingSchema = z
  .object({
    enabled: z.boolean().optional(),
    /** Most tasks in one batch (the TaskManager takes up to 256). Default 64. */
    maxTasks: z.number().int().min(1).max(256).default(64),
    /** How long the first request of a batch waits for others, ms. Default 10. */
    delayMs: z.number().int().min(0).max(10_000).default(10),
  })
  .strict();

const engineSectionSchema = operatorRaftConfigSchema
  .omit({ httpUrl: true, raftUrl: true, operatorId: true, clusterId: true, fileStorageDirectory: true })
  .partial()
  .extend({
    batching: batchingSchema.optional(),
    /**
     * Submissions (batches, or single responses where the contract has no batch call) talking to
     * the chain at once; the rest wait their turn. Transactions of one signer are pipelined (nonces
     * assigned locally), so on a chain with block times many need to be in flight. Default 32.
     */
    maxConcurrentSubmissions: z.number().int().min(1).max(1_024).optional(),
  })
  .strict()
  .superRefine((engine, ctx) => {
    const quorums = engine.defaultQuorumNumbers;
    const thresholds = engine.defaultThresholdPercentages;
    if (quorums !== undefined && thresholds !== undefined && quorums.length !== thresholds.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultThresholdPercentages'],
        message: 'expected one threshold per entry of defaultQuorumNumbers',
      });
    }
    if ((engine.retryBaseMs ?? 100) > (engine.retryMaxMs ?? 2_000)) {
      ctx.addIssue({ code: 'custom', path: ['retryBaseMs'], message: 'expected at most retryMaxMs' });
    }
  })
  .default({});

/** Schema of the operator config file. */
export const operatorConfigSchema = z
  .object({
    /** Where editors find this schema (`./config.schema.json`); ignored by the operator. */
    $schema: z.string().optional(),
    /** JSON-RPC URL of the Ethereum node. */
    rpcUrl: httpUrl,
    chainId: z.number().int().positive(),
    contracts: z
      .object({
        /** This project's OperatorRegistry, or EigenLayer's RegistryCoordinator (with `chain.kind: eigenlayer`). */
        operatorRegistry: address,
        operatorStateRetriever: address,
        taskManager: address,
      })
      .strict(),
    /**
     * Which contracts: this project's (`avs-raft`, default) or EigenLayer's M2 middleware with
     * incredible-squaring's IncredibleSquaringTaskManager (`eigenlayer`). There `respondToTask` is
     * `onlyAggregator`: the leader submits with the aggregator key read from `aggregatorKeyEnv`.
     */
    chain: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('avs-raft') }).strict(),
        z
          .object({
            kind: z.literal('eigenlayer'),
            /** Environment variable holding the aggregator's private key (0x hex). */
            aggregatorKeyEnv: z.string().min(1).default('AVS_AGGREGATOR_KEY'),
          })
          .strict(),
      ])
      .default({ kind: 'avs-raft' }),
    /**
     * How the leader's response transactions are sent. Fee bumping is off by default (a local chain
     * mines at once); on a public chain set `bumpAfterMs`: a transaction still unmined after that long
     * is signed again with the same nonce and fees raised by `bumpPercent`, at most `maxBumps` times.
     */
    transactions: z
      .object({
        bumpAfterMs: z.number().int().min(100).max(3_600_000).optional(),
        /** Nodes refuse a replacement under +10 %. */
        bumpPercent: z.number().int().min(10).max(1_000).default(25),
        maxBumps: z.number().int().min(1).max(50).default(5),
      })
      .strict()
      .default({ bumpPercent: 25, maxBumps: 5 }),
    /** First block to scan for tasks (the deployment block). */
    fromBlock: z.number().int().nonnegative().default(0),
    keys: z
      .object({
        /** Ethereum keystore (JSON v3) of the operator's ECDSA key. */
        ecdsaKeystore: z.string().min(1),
        /** eigensdk BLS keystore. */
        blsKeystore: z.string().min(1),
        /** Environment variable holding the keystores' password; prompted for when unset. */
        passwordEnv: z.string().min(1).default('AVS_KEY_PASSWORD'),
        /**
         * The BLS keystore's own password variable, when it differs (eigensdk operators keep two, e.g.
         * incredible-squaring's OPERATOR_ECDSA_KEY_PASSWORD and OPERATOR_BLS_KEY_PASSWORD). Default: `passwordEnv`.
         */
        blsPasswordEnv: z.string().min(1).optional(),
      })
      .strict(),
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535),
        /** The URL other operators reach this one at (as registered on-chain). Default http://host:port. */
        publicUrl: httpUrl.optional(),
        /**
         * Environment variable holding the API token (at least 32 characters) that the task generator
         * and local tools send as `Authorization: Bearer <token>` to `POST /avs/v1/tasks` and
         * `GET /avs/v1/status`. Unset variable: those routes take operator sessions only.
         */
        apiTokenEnv: z.string().min(1).default('AVS_API_TOKEN'),
      })
      .strict(),
    storage: storageSchema.default({ kind: 'file', dir: './data' }),
    cluster: z
      .object({
        id: z.string().min(1).max(128).default('avs'),
        /** Start a new cluster with this operator as its only member (first operator only). */
        bootstrap: z.boolean().default(false),
        /** HTTP URL of any member, to join an existing cluster. */
        joinUrl: httpUrl.optional(),
        /**
         * Where to dial other operators: peer origin (`http://host:port` as registered, or of
         * `joinUrl`) to the origin to dial instead. For NAT or docker, and for the chaos suite's
         * fault proxies. Peers not listed are dialled at their registered URL.
         */
        dialUrls: z.record(originUrl, originUrl).optional(),
        /**
         * Which peer URLs (as registered on-chain, after `dialUrls`) this operator dials and admits:
         * http/https without userinfo, query or fragment, and public addresses only unless allowed.
         * Registered URLs are strangers' input (blind SSRF otherwise). The devnet allows loopback.
         */
        endpoints: z
          .object({ allowLoopback: z.boolean().default(false), allowPrivate: z.boolean().default(false) })
          .strict()
          .default({ allowLoopback: false, allowPrivate: false }),
      })
      .strict()
      .default({
        id: 'avs',
        bootstrap: false,
        endpoints: { allowLoopback: false, allowPrivate: false },
      }),
    avs: z
      .discriminatedUnion('kind', [
        /** One of the built-in example AVSs. */
        z.object({ kind: z.enum(['squaring', 'oracle']) }).strict(),
        /** Your own task logic: an ES module exporting an `AvsTaskModule` (see the README). */
        z
          .object({
            kind: z.literal('module'),
            /** Path of the module (relative to the config file), e.g. `./my-avs.mjs`. */
            path: z.string().min(1),
          })
          .strict(),
      ])
      .default({ kind: 'squaring' }),
    /** Engine timeouts and Raft settings (see @avs/engine's OperatorRaftConfig). */
    engine: engineSectionSchema,
    /** Observability: Prometheus metrics and EigenLayer's node API on the operator's server. */
    metrics: z
      .object({
        /** Serve `/metrics` and `/eigen/node/*`; default true. */
        enabled: z.boolean().default(true),
        /** The AVS's name in `/eigen/node` and the metrics' `avs_name` label. */
        avsName: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected lowercase letters, digits and dashes')
          .default('avs-raft'),
      })
      .strict()
      .default({ enabled: true, avsName: 'avs-raft' }),
    /** Checks run before the operator starts; turn one off only to debug. */
    startupChecks: z
      .object({
        /** RPC answers, chain id matches, contract code at every address, operator registered with stake. */
        enabled: z.boolean().default(true),
      })
      .strict()
      .default({ enabled: true }),
  })
  .strict();

export type OperatorConfig = z.output<typeof operatorConfigSchema>;
export type OperatorConfigInput = z.input<typeof operatorConfigSchema>;

/** Formats zod issues as one `field.path: message` line each. */
export function describeIssues(error: z.ZodError, source = 'config'): string {
  return error.issues
    .map((issue) => `${source}: ${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

/** JSON Schema (draft 2020-12) of the config file as written (defaults optional), from the zod schema. */
export function operatorConfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(operatorConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'avs-operator config',
  };
}

/**
 * Validates a parsed config object.
 * @throws {OperatorConfigError} naming every wrong field
 */
export function parseOperatorConfig(value: unknown, source = 'config'): OperatorConfig {
  const parsed = operatorConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new OperatorConfigError(describeIssues(parsed.error, source));
  }
  return parsed.data;
}

/**
 * Reads and validates a config file; relative paths in it are resolved against the file's directory.
 * @throws {OperatorConfigError} when the file is missing, not JSON, or invalid
 */
export async function loadOperatorConfig(path: string): Promise<OperatorConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new OperatorConfigError(
      `cannot read config file ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new OperatorConfigError(`${path}: not valid JSON: ${(cause as Error).message.split('\n')[0]}`, {
      cause,
    });
  }
  const config = parseOperatorConfig(json, path);
  const base = dirname(resolve(path));
  const at = (p: string) => resolve(base, p);
  return {
    ...config,
    keys: {
      ...config.keys,
      ecdsaKeystore: at(config.keys.ecdsaKeystore),
      blsKeystore: at(config.keys.blsKeystore),
    },
    avs: config.avs.kind === 'module' ? { ...config.avs, path: at(config.avs.path) } : config.avs,
    storage:
      config.storage.kind === 'dynamodb'
        ? config.storage
        : { ...config.storage, dir: at(config.storage.dir) },
  };
}

/**
 * The API token from the environment variable the config names, or undefined when it is unset.
 * @throws OperatorConfigError when it is set but shorter than 32 characters or not printable ASCII
 */
export function apiTokenOf(
  config: Pick<OperatorConfig, 'server'>,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const token = env[config.server.apiTokenEnv];
  if (token === undefined || token === '') return undefined;
  if (!/^[\x21-\x7e]{32,512}$/.test(token)) {
    throw new OperatorConfigError(
      `${config.server.apiTokenEnv} must be 32 to 512 printable ASCII characters (e.g. openssl rand -hex 32)`,
    );
  }
  return token;
}

/**
 * The engine's `batching` option from the config: the window's size and delay when batching is on
 * (explicitly, or by default on the `avs-raft` chain), undefined when off.
 */
export function batchingOf(
  config: Pick<OperatorConfig, 'chain' | 'engine'>,
): { maxTasks: number; delayMs: number } | undefined {
  const b = config.engine.batching;
  const enabled = b?.enabled ?? config.chain.kind === 'avs-raft';
  return enabled ? { maxTasks: b?.maxTasks ?? 64, delayMs: b?.delayMs ?? 10 } : undefined;
}
