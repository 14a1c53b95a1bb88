/**
 * The cluster scenario on Bun and Deno, each from its npm package (devDependencies
 * `bun` and `deno`), run as a child process on the TypeScript sources.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runtimeCommands } from './support/runtime-commands.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = 'test/runtimes/run-cluster.ts';

function run(
  bin: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: pkg, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const runtimes = runtimeCommands(pkg, script);

describe.each(runtimes)('3-node RaftNode cluster over HTTP on %s', (_name, bin, args) => {
  it("elects, replicates, survives the leader's server stopping, and installs a chunked snapshot on the lagging node", async () => {
    const { code, stdout, stderr } = await run(bin, args, 80_000);
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, `exit ${code}\n${stderr.slice(-2000)}`).toBeDefined();
    const result = JSON.parse(line!.slice(7)) as Record<string, number | string>;
    expect(code).toBe(0);
    expect(result.secondLeader).not.toBe(result.firstLeader);
    expect(result.entries).toBe(120);
    expect(result.restoredFromSnapshot).toBeGreaterThanOrEqual(1);
    expect(result.snapshotChunksSent).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
