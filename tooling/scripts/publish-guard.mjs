#!/usr/bin/env node
// prepublishOnly of every package: refuse `npm publish`. Dependencies between the workspace's
// packages are `workspace:*`, which `pnpm publish` rewrites to the released versions and npm
// would publish as they are (an uninstallable package). Release with changesets + pnpm.
const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  process.stderr.write(
    'error: publish with pnpm (`pnpm changeset publish` or `pnpm publish`), not npm: npm would ship `workspace:*` dependency ranges.\n',
  );
  process.exit(1);
}
