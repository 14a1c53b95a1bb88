/** A {@link CliIo} that captures output, for the CLI's tests. */
import { PassThrough } from 'node:stream';
import type { CliIo } from './cli-io.js';

/** Captured output plus the io to pass to `runCli`. */
export interface CapturedIo {
  readonly io: CliIo;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** An io with no terminal, the given environment and stdin text. */
export function captureIo(env: NodeJS.ProcessEnv = {}, stdinText = ''): CapturedIo {
  let out = '';
  let err = '';
  const stdin = new PassThrough();
  stdin.end(stdinText);
  return {
    io: {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      env,
      stdin,
      isTTY: false,
    },
    stdout: () => out,
    stderr: () => err,
  };
}
