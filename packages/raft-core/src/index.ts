export * from './errors.js';
export type * from './state-machine.js';
export type * from './storage.js';
export type * from './transport.js';
export * from './types.js';
