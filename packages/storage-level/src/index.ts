export { LevelLockedError } from './errors.js';
export { LevelBackend } from './level-backend.js';
export { createLevelStorage, type LevelStorageOptions } from './level-storage.js';
