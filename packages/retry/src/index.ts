export { type BackoffPolicy, backoffDelay, type Jitter, type RetryPolicy } from './backoff.js';
export { type WithBackoffOptions, withBackoff } from './with-backoff.js';
