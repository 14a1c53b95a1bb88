import { join } from 'node:path';

/**
 * How to run a TypeScript file of this package on Bun and Deno from their npm
 * packages (devDependencies), resolving workspace packages from source.
 * @param pkg the package directory (the children's working directory)
 */
export function runtimeCommands(pkg: string, script: string): [name: string, bin: string, args: string[]][] {
  return [
    ['Bun', join(pkg, 'node_modules', '.bin', 'bun'), ['--conditions=@avs/source', 'run', script]],
    [
      'Deno',
      join(pkg, 'node_modules', 'deno', 'deno'),
      [
        'run',
        '--allow-net',
        '--allow-env',
        '--allow-read',
        '--conditions=@avs/source',
        '--unstable-sloppy-imports',
        script,
      ],
    ],
  ];
}
