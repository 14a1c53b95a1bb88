/** `avs-operator start` and `avs-operator config …`: validate, check, then run one operator. */
import { access } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { loadOperatorConfig, operatorConfigJsonSchema } from '../config.js';
import { KeyFileError } from '../errors.js';
import { keyPassword, readKeyFiles } from '../keys.js';
import { createOperatorLogger, LOG_LEVELS, type LogLevel } from '../logging.js';
import { startOperator } from '../operator.js';
import { runStartupChecks } from '../startup-checks.js';
import { type CliIo, packageVersion } from './cli-io.js';

/** `--config`, shared by the commands that read the config file. */
export const configOption = () =>
  new Option('-c, --config <file>', 'operator config file (JSON; schema: config.schema.json)')
    .env('AVS_OPERATOR_CONFIG')
    .makeOptionMandatory();

/** `--log-level` and `--log-format`, shared by the commands that log. */
export function logOptions(): Option[] {
  return [
    new Option('--log-level <level>', 'least severe level logged')
      .choices(LOG_LEVELS)
      .default('info')
      .env('AVS_LOG_LEVEL'),
    new Option('--log-format <format>', 'json lines, or pretty for people (default: pretty on a terminal)')
      .choices(['json', 'pretty'])
      .env('AVS_LOG_FORMAT'),
  ];
}

/** `avs-operator start`. */
export function startCommand(io: CliIo): Command {
  const command = new Command('start')
    .description('run one operator: validate the config, check the chain, decrypt the keys, serve')
    .addOption(configOption());
  for (const option of logOptions()) command.addOption(option);
  return command
    .addHelpText(
      'after',
      `
The keystore password comes from the variable named by keys.passwordEnv (default AVS_KEY_PASSWORD),
else from a hidden prompt. Startup checks: the RPC answers, chainId matches, every contract has code,
the operator is registered with this BLS key and has stake; a failure exits with code 2.

Examples:
  avs-operator start --config operator.json
  AVS_OPERATOR_CONFIG=/etc/avs/operator.json AVS_LOG_LEVEL=debug avs-operator start`,
    )
    .action(async (o: { config: string; logLevel: LogLevel; logFormat?: 'json' | 'pretty' }) => {
      // Everything the user wrote is validated before anything else happens.
      const config = await loadOperatorConfig(o.config);
      for (const path of [config.keys.ecdsaKeystore, config.keys.blsKeystore]) {
        try {
          await access(path);
        } catch (cause) {
          throw new KeyFileError(
            `keys: ${path} not found: fix the path or run \`avs-operator keys generate\``,
            {
              cause,
            },
          );
        }
      }
      const password = await keyPassword(config.keys.passwordEnv, { env: io.env, input: io.stdin });
      // eigensdk operators may have one password per key file (keys.blsPasswordEnv).
      const blsEnv = config.keys.blsPasswordEnv;
      const keys = await readKeyFiles(
        config.keys,
        password,
        blsEnv === undefined ? password : await keyPassword(blsEnv, { env: io.env, input: io.stdin }),
      );
      const log = createOperatorLogger({
        level: o.logLevel,
        format: o.logFormat ?? (io.isTTY ? 'pretty' : 'json'),
      });
      if (config.startupChecks.enabled) {
        const report = await runStartupChecks(config, {
          address: keys.address,
          operatorId: keys.bls.operatorId,
        });
        log.info({ ...report }, 'startup checks passed');
      } else {
        log.warn('startup checks are disabled (startupChecks.enabled: false)');
      }
      const operator = await startOperator(config, keys, { log, version: packageVersion() });
      log.info(
        { address: keys.address, operatorId: keys.bls.operatorId, url: operator.url },
        `operator serving on ${operator.url}`,
      );
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          log.info({ signal }, 'handing over and shutting down');
          operator.close().then(resolve, resolve);
        };
        process.once('SIGINT', () => shutdown('SIGINT'));
        process.once('SIGTERM', () => shutdown('SIGTERM'));
      });
      log.info('stopped');
    });
}

/** `avs-operator config check|schema`. */
export function configCommand(io: CliIo): Command {
  const command = new Command('config').description('validate a config file, or print its JSON Schema');
  command
    .command('check')
    .description('validate a config file (every field, the engine section too) and exit')
    .addOption(configOption())
    .addHelpText('after', '\nExample:\n  avs-operator config check --config operator.json')
    .action(async (o: { config: string }) => {
      await loadOperatorConfig(o.config);
      io.out(`${o.config}: ok\n`);
    });
  command
    .command('schema')
    .description('print the JSON Schema of the config file')
    .addHelpText('after', '\nExample:\n  avs-operator config schema > config.schema.json')
    .action(() => io.out(`${JSON.stringify(operatorConfigJsonSchema(), null, 2)}\n`));
  return command;
}
