export * from './errors.js';
export * from './task-command.js';
export * from './task-state.js';
