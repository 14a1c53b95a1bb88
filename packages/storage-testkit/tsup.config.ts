import { library } from '@avs/tooling-config/tsup';

// crash-child is a script the crash case spawns; it ships next to index.js.
export default library({
  platform: 'node',
  entry: ['src/index.ts', 'src/crash-child.ts', 'src/bench-workloads.ts'],
});
