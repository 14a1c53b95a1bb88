/**
 * The engine's configuration: the original `OperatorRaftConfig` (HTTP URL,
 * Raft URL, storage directory, operator id) plus what the original hard-coded
 * or left out (cluster and chain identity, timeouts). Validated with zod; an
 * error names the field and what was expected.
 */
import { z } from 'zod';
import { EngineConfigError } from './errors.js';

const ms = (def: number) =>
  z
    .number()
    .int()
    .positive()
    .max(24 * 60 * 60 * 1000)
    .default(def);

const raftSchema = z
  .object({
    tickMs: z.number().int().positive().optional(),
    electionTick: z.number().int().positive().optional(),
    heartbeatTick: z.number().int().positive().optional(),
    proposalTimeoutMs: z.number().int().positive().optional(),
    readIndexTimeoutMs: z.number().int().positive().optional(),
    confChangeTimeoutMs: z.number().int().positive().optional(),
    snapshotEntries: z.number().int().nonnegative().optional(),
    snapshotTrailingEntries: z.number().int().nonnegative().optional(),
  })
  .strict()
  .default({});

const urlSchema = z
  .string()
  .max(2048)
  .refine((u) => /^(https?|mem):\/\/[^\s/]+/.test(u), 'expected an http(s):// URL (or mem:// in memory)');

/** Schema of {@link OperatorRaftConfig}. */
export const operatorRaftConfigSchema = z
  .object({
    /** Where this operator serves the engine's HTTP routes (join, task responses, status). */
    httpUrl: urlSchema,
    /** Where this operator serves Raft traffic (often the same server as `httpUrl`). */
    raftUrl: urlSchema,
    /** Directory of the file storage, when the engine opens it itself (Node entry only). */
    fileStorageDirectory: z.string().min(1).optional(),
    /** This operator's BLS operator id (bytes32 hex); must match the BLS key. */
    operatorId: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a bytes32 hex operator id'),
    /** Name of the cluster; join requests are bound to it. */
    clusterId: z.string().min(1).max(128).default('avs'),
    /** Default threshold and quorums of tasks created by `leaderSendTaskRequestToFollowers` without metadata. */
    defaultQuorumNumbers: z.array(z.number().int().min(0).max(255)).min(1).default([0]),
    defaultThresholdPercentages: z.array(z.number().int().min(1).max(100)).min(1).default([67]),
    /** How long a task may take before it expires, ms. Default 60 s. */
    taskTimeoutMs: ms(60_000),
    /** Deadline of one call to another engine, ms. Default 5 s. */
    requestTimeoutMs: ms(5_000),
    /** First and largest delay between retries of a call, ms. Defaults 100 ms and 2 s. */
    retryBaseMs: ms(100),
    retryMaxMs: ms(2_000),
    /** Lifetime of a join request this node signs, ms. Default 60 s. */
    joinRequestTtlMs: ms(60_000),
    /** How long joining keeps retrying while no member or leader answers (e.g. during a failover), ms. Default 60 s. */
    joinTimeoutMs: ms(60_000),
    /** A join request's block may be at most this many blocks behind the leader's latest. Default 50. */
    maxJoinBlockAge: z.number().int().nonnegative().default(50),
    /** ... and at most this many ahead (nodes see blocks at slightly different times). Default 5. */
    maxJoinBlockAhead: z.number().int().nonnegative().default(5),
    /**
     * At most this many operators vote (odd: an even count tolerates no more failures than the odd
     * count below it). The others are learners: they receive the log, answer and sign, but do not
     * vote. Voters are the caught-up operators with the most stake. Default 5.
     */
    maxVoters: z
      .number()
      .int()
      .min(1)
      .max(99)
      .refine((n) => n % 2 === 1, 'must be odd (1, 3, 5, ...)')
      .default(5),
    /** The leader replaces a voter it has not heard from for this long with the next learner by stake, ms. Default 30 s. */
    voterUnreachableMs: ms(30_000),
    /** How often the leader reviews the voter set (free seats, unreachable or unqualified voters), ms. Default 1 s. */
    autopilotIntervalMs: ms(1_000),
    /** How long a joiner waits to be promoted to voter (while a seat is free) before it settles as a learner, ms. Default 30 s. */
    promoteTimeoutMs: ms(30_000),
    /** How often the leader reads the latest block for tasks that expire by block; 0 disables. Default 2 s. */
    blockPollMs: z.number().int().nonnegative().default(2_000),
    /** How often the leader re-checks members against the registry; 0 disables. Default 60 s. */
    membershipCheckIntervalMs: z.number().int().nonnegative().default(60_000),
    /**
     * The leader invites operators as they register on-chain (with the chain's `registryEvents`): they are
     * added as learners and promoted once they have caught up. Default false (operators join themselves).
     */
    autoInvite: z.boolean().default(false),
    /**
     * Least stake (decimal, the registry's unit) an operator needs in every quorum of
     * `defaultQuorumNumbers` at the latest block to join and to stay. Default 1: more than zero.
     */
    minimumStake: z
      .string()
      .regex(/^[0-9]{1,78}$/, 'expected a decimal integer')
      .refine((v) => BigInt(v) > 0n, 'must be more than zero')
      .default('1'),
    /** How long the latest block and an address's operatorId read for joins are reused, ms. Default 1 s. */
    chainCacheMs: z.number().int().nonnegative().default(1_000),
    /** Raft driver settings. */
    raft: raftSchema,
  })
  .strict();

/** The configuration as given (defaults optional). */
export type OperatorRaftConfig = z.input<typeof operatorRaftConfigSchema>;
/** The configuration with defaults filled in. */
export type ResolvedEngineConfig = z.output<typeof operatorRaftConfigSchema>;

/**
 * Validates a configuration.
 * @throws EngineConfigError naming the first bad field and what was expected
 */
export function parseEngineConfig(config: unknown): ResolvedEngineConfig {
  const parsed = operatorRaftConfigSchema.safeParse(config);
  if (parsed.success) {
    const c = parsed.data;
    if (c.defaultQuorumNumbers.length !== c.defaultThresholdPercentages.length) {
      throw new EngineConfigError(
        'config.defaultThresholdPercentages: expected one threshold per entry of defaultQuorumNumbers',
      );
    }
    if (c.retryBaseMs > c.retryMaxMs)
      throw new EngineConfigError('config.retryBaseMs: expected at most retryMaxMs');
    return c;
  }
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new EngineConfigError(`config.${path}: ${issue?.message ?? 'invalid'}`);
}
