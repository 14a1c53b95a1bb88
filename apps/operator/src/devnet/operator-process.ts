/**
 * One operator of the devnet as a child process: started with its config
 * file, killed (SIGKILL for chaos, SIGTERM to stop) and restarted from its
 * data directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How an operator process is started. */
export type Runtime = 'node' | 'bun' | 'deno';

/** The package's root directory (from `src/devnet/` or from `dist/`). */
const packageRoot = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../' : '../', import.meta.url),
);

/**
 * The binary of a runtime: the one installed with this package from npm (Bun's
 * real executable, Deno's real binary rather than its slow Node wrapper), else
 * whatever is on PATH.
 */
function runtimeBinary(runtime: 'bun' | 'deno'): string {
  const local =
    runtime === 'bun'
      ? join(packageRoot, 'node_modules', 'bun', 'bin', 'bun.exe')
      : join(packageRoot, 'node_modules', 'deno', 'deno');
  return existsSync(local) ? local : runtime;
}

/**
 * Command and arguments that run the operator CLI under a runtime.
 * @param fromBuild run the built CLI even from source (Node starts it faster than tsx does)
 */
export function operatorCommand(
  runtime: Runtime,
  configPath: string,
  fromBuild = false,
): { command: string; args: string[] } {
  const fromSource = import.meta.url.endsWith('.ts') && !fromBuild;
  const cli = ['start', '--config', configPath];
  // Extra Node flags for operator processes, e.g. AVS_OPERATOR_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof".
  const nodeArgs = (process.env.AVS_OPERATOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (fromSource && runtime === 'node') {
    // Tests run from source: tsx with the workspace's source condition.
    const entry = join(packageRoot, 'src', 'cli.ts');
    return {
      command: process.execPath,
      args: [...nodeArgs, '--conditions=@avs/source', '--import', 'tsx', entry, ...cli],
    };
  }
  // Bun and Deno run the built CLI (from source too: they do not know the workspace's source condition).
  const entry = join(packageRoot, 'dist', 'cli.js');
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: build @avs/operator first (pnpm --filter @avs/operator build)`);
  switch (runtime) {
    case 'node':
      return { command: process.execPath, args: [...nodeArgs, entry, ...cli] };
    case 'bun':
      return { command: runtimeBinary('bun'), args: ['run', entry, ...cli] };
    case 'deno':
      return {
        command: runtimeBinary('deno'),
        args: ['run', '-A', '--node-modules-dir=manual', entry, ...cli],
      };
  }
}

/** A supervised operator process. */
export class OperatorProcess {
  #child: ChildProcess | undefined;
  #output: string[] = [];
  restarts = 0;

  constructor(
    readonly name: string,
    readonly configPath: string,
    readonly url: string,
    readonly address: string,
    private readonly runtime: Runtime,
    private readonly env: NodeJS.ProcessEnv,
    private readonly onLine: (name: string, line: string) => void,
    private readonly fromBuild = false,
  ) {}

  /** The API token the process was given (`AVS_API_TOKEN`), for task intake and status. */
  get apiToken(): string | undefined {
    return this.env.AVS_API_TOKEN;
  }

  /** Headers that authenticate a local tool to this operator's task and status routes. */
  authHeaders(): Record<string, string> {
    return this.apiToken === undefined ? {} : { authorization: `Bearer ${this.apiToken}` };
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** True once a started process has exited (crashed, or was killed). */
  get exited(): boolean {
    return this.#child !== undefined && !this.running;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Last lines the process printed (for error reports). */
  get output(): readonly string[] {
    return this.#output;
  }

  start(): void {
    const { command, args } = operatorCommand(this.runtime, this.configPath, this.fromBuild);
    const child = spawn(command, args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.#output.push(line);
        if (this.#output.length > 50) this.#output.shift();
        this.onLine(this.name, line);
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.#child = child;
  }

  /** SIGKILL: the process gets no chance to clean up (what a crash looks like). */
  kill(): void {
    this.#child?.kill('SIGKILL');
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
