/**
 * `avs-operator`: run an operator, the local devnet, or manage keys. See
 * `avs-operator --help`; the commands live in `cli/`.
 */
import { runCli } from './cli/program.js';

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Everything we started is closed; don't wait for idle keep-alive sockets.
  setTimeout(() => process.exit(code), 200).unref();
});
