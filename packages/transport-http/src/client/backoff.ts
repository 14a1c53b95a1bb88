import type { RetryPolicy } from '@avs/retry';

/** Default retry policy of failed sends: @avs/retry's, with "equal" jitter (peers that failed together do not retry together). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 50, maxDelayMs: 2000, jitter: 'equal' };
