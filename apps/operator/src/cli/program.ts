/**
 * The `avs-operator` command line on commander (help, version, env vars, choices and
 * errors come from the library). {@link runCli} maps every outcome to an exit code:
 * 0 done, 2 a mistake of the user (usage, config, keys, startup checks), 1 anything else.
 */
import { Command, CommanderError } from 'commander';
import {
  KeyFileError,
  OperatorConfigError,
  OperatorError,
  StartupCheckError,
  UsageError,
} from '../errors.js';
import { type CliIo, packageVersion, processIo } from './cli-io.js';
import { devnetCommand } from './devnet-command.js';
import { keysCommand } from './keys-command.js';
import { recoverCommand } from './recover-command.js';
import { configCommand, startCommand } from './start-command.js';
import { statusCommand } from './status-command.js';

/** Exit code of a user mistake. */
export const EXIT_USAGE = 2;

/** Builds the program; commands write through `io`. */
export function createProgram(io: CliIo): Command {
  const program = new Command('avs-operator')
    .description('Run an AVS operator on Raft task consensus, a local devnet, or manage operator keys.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Every option can also be set with the environment variable shown in its help (flags win).

Examples:
  avs-operator keys generate --dir keys/
  avs-operator config check --config operator.json
  avs-operator start --config operator.json --log-level debug
  avs-operator devnet --operators 3
  avs-operator status --url http://127.0.0.1:9001
  avs-operator recover --force-new-cluster --config operator.json

Run 'avs-operator <command> --help' for a command's options.`,
    );
  program.addCommand(startCommand(io));
  program.addCommand(devnetCommand(io));
  program.addCommand(statusCommand(io));
  program.addCommand(recoverCommand(io));
  program.addCommand(keysCommand(io));
  program.addCommand(configCommand(io));
  // Applies to subcommands added above: output through io, errors thrown instead of exiting.
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      outputError: (text, write) => write(text),
    });
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  return program;
}

/**
 * Runs the CLI with `argv` (without node and the script) and returns the exit code.
 * Errors are one line each on stderr, no stack traces (except for a defect, with `AVS_DEBUG=1`).
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = createProgram(io);
  try {
    if (argv.length === 0) {
      io.err(program.helpInformation());
      return EXIT_USAGE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with code 0; commander already printed the error otherwise.
      if (error.exitCode === 0) return 0;
      return EXIT_USAGE;
    }
    if (
      error instanceof UsageError ||
      error instanceof OperatorConfigError ||
      error instanceof KeyFileError ||
      error instanceof StartupCheckError
    ) {
      for (const line of error.message.split('\n')) io.err(`error: ${line}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof OperatorError) {
      io.err(`error: ${error.message}\n`);
      return 1;
    }
    const detail =
      io.env.AVS_DEBUG && error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.err(`error: ${error instanceof Error && !io.env.AVS_DEBUG ? error.message : detail}\n`);
    return 1;
  }
}
