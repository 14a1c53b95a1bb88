/**
 * One operator of the devnet as a child process: started with its config
 * file, killed (SIGKILL for chaos, SIGTERM to stop) and restarted from its
 * data directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How an operator process is started. */
export type Runtime = 'node' | 'bun' | 'deno';

/** Command and arguments that run the operator CLI under a runtime. */
export function operatorCommand(runtime: Runtime, configPath: string): { command: string; args: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSource ? '../cli.ts' : './cli.js', import.meta.url));
  const cli = ['start', '--config', configPath];
  // Extra Node flags for operator processes, e.g. AVS_OPERATOR_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof".
  const nodeArgs = (process.env.AVS_OPERATOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (fromSource) {
    // Tests run from source: tsx with the workspace's source condition.
    return {
      command: process.execPath,
      args: [...nodeArgs, '--conditions=@avs/source', '--import', 'tsx', entry, ...cli],
    };
  }
  switch (runtime) {
    case 'node':
      return { command: process.execPath, args: [...nodeArgs, entry, ...cli] };
    case 'bun':
      return { command: 'bun', args: ['run', entry, ...cli] };
    case 'deno':
      return { command: 'deno', args: ['run', '-A', '--node-modules-dir=manual', entry, ...cli] };
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
  ) {}

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
    const { command, args } = operatorCommand(this.runtime, this.configPath);
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
