declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    path?: string;
  }

  /** An in-process DynamoDB-compatible HTTP server (in memory unless `path` is given). */
  export default function dynalite(options?: DynaliteOptions): Server;
}
