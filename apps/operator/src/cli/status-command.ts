/** `avs-operator status`: an operator's status as JSON. */
import { Command, Option } from 'commander';
import { OperatorError } from '../errors.js';
import type { CliIo } from './cli-io.js';

/** `avs-operator status`. */
export function statusCommand(io: CliIo): Command {
  return new Command('status')
    .description("print an operator's status (role, term, commit, members, recent tasks) as JSON")
    .addOption(
      new Option('--url <url>', "the operator's HTTP URL").env('AVS_OPERATOR_URL').makeOptionMandatory(),
    )
    .addHelpText(
      'after',
      "\nThe route needs the operator's API token: set AVS_API_TOKEN (never a flag).\n\nExample:\n  avs-operator status --url http://127.0.0.1:9001   # AVS_API_TOKEN set",
    )
    .action(async (o: { url: string }) => {
      const url = `${o.url.replace(/\/$/, '')}/avs/v1/status`;
      let response: Response;
      try {
        // The status route needs an operator session or the API token (from the environment, never a flag).
        const token = io.env.AVS_API_TOKEN;
        response = await fetch(url, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
          signal: AbortSignal.timeout(5_000),
        });
      } catch (cause) {
        throw new OperatorError('UNREACHABLE', `${url} does not answer: is the operator running?`, { cause });
      }
      const text = await response.text();
      if (!response.ok)
        throw new OperatorError('STATUS', `${url} answered ${response.status}: ${text.slice(0, 200)}`);
      io.out(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    });
}
