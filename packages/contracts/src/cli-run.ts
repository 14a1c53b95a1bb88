// Runs the CLI from source (pnpm --filter @avs/contracts local-chain); the published bin uses dist/.
import { main } from './cli.js';

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`avs-local-chain: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
