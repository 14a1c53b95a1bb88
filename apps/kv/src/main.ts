/**
 * The `avs-kv` command: parses flags, starts one server, prints one JSON
 * `ready` line on stdout, and exits cleanly on SIGTERM/SIGINT (exit 0), or
 * with 1 when the node stops on a fatal storage error (nothing after it is
 * acknowledged), or with 2 on a configuration error.
 */
import { KvError } from './errors.js';
import { createJsonLogger } from './json-logger.js';
import { startKvServer } from './kv-server.js';
import { parseServerConfig, USAGE } from './server-config.js';

// libuv's thread pool (4 threads by default) runs the file storage's fsyncs and the WebCrypto hashing
// of large transport bodies (over 64 KiB; smaller requests are signed synchronously), so with the
// default size hashing could wait behind disk syncs; 16 measured faster on a 2-core machine when every
// request used WebCrypto. Set before the pool's first use (at the first fs or crypto call, after
// imports are evaluated). An explicit UV_THREADPOOL_SIZE wins.
process.env.UV_THREADPOOL_SIZE ??= '16';

async function main(): Promise<void> {
  let config: ReturnType<typeof parseServerConfig>;
  try {
    config = parseServerConfig(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`avs-kv: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (config === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const logger = createJsonLogger(config.logLevel, { node: config.id });
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception', { error: String(error), stack: error.stack });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled rejection', { error: String(reason) });
    process.exit(1);
  });
  let server: Awaited<ReturnType<typeof startKvServer>>;
  try {
    server = await startKvServer(config, logger);
  } catch (error) {
    const code =
      error instanceof KvError || (error instanceof Error && 'code' in error)
        ? (error as { code: unknown }).code
        : undefined;
    logger.error('could not start', { error: String(error), code });
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting at once', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping', { signal });
    server.close().then(
      () => process.exit(0),
      (error) => {
        logger.error('clean shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  void server.fatal.then((error) => {
    logger.error('raft node stopped on a fatal error; exiting without acknowledging anything more', {
      error: String(error),
    });
    process.exit(1);
  });
  logger.info('started', { peerUrl: server.peerUrl, clientUrl: server.clientUrl, storage: config.storage });
  process.stdout.write(
    `${JSON.stringify({ event: 'ready', id: config.id, pid: process.pid, peerUrl: server.peerUrl, clientUrl: server.clientUrl })}\n`,
  );
}

void main();
