// The kv server as the chaos suite starts it: the `avs-kv` command of
// @avs/kv, with two test-only seams set up before it is loaded, driven by
// files the runner writes next to the nodes' data directories:
// - `chaos-topology.json`: { kvEntry, peers: { <id>: "<id>=<url>,..." } }: this
//   node's view of its peers' Raft URLs (each points at a per-link fault proxy);
// - `chaos-disk/<id>.json`: { syncDelayMs, failSync }: a slow disk (every fsync
//   and fdatasync waits) or a failed fsync (they reject with EIO), applied by
//   wrapping node's FileHandle, which @avs/storage-file writes through.
// On exit it appends "<pid> <code>" to `<id>.exit`, so the runner can tell a
// node that stopped on its own (exit 1 on a failed fsync) from one it killed.
import { appendFileSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const id = flag('--id');
const dataDir = flag('--data-dir');
if (!id || !dataDir) {
  process.stderr.write('kv-chaos-node: --id and --data-dir are required\n');
  process.exit(2);
}
const base = dirname(dataDir);
const topology = JSON.parse(readFileSync(join(base, 'chaos-topology.json'), 'utf8'));
const peers = topology.peers[id];
const peersAt = args.indexOf('--peers');
if (peers && peersAt >= 0) args[peersAt + 1] = peers;
process.argv = [process.argv[0], topology.kvEntry, ...args];

let disk = { syncDelayMs: 0, failSync: false };
const diskFile = join(base, 'chaos-disk', `${id}.json`);
const readDisk = () => {
  try {
    disk = { syncDelayMs: 0, failSync: false, ...JSON.parse(readFileSync(diskFile, 'utf8')) };
  } catch {
    disk = { syncDelayMs: 0, failSync: false };
  }
};
readDisk();
setInterval(readDisk, 50).unref();

const probe = await open(process.execPath, 'r');
const proto = Object.getPrototypeOf(probe);
await probe.close();
for (const name of ['sync', 'datasync']) {
  const original = proto[name];
  proto[name] = async function wrapped(...rest) {
    if (disk.syncDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, disk.syncDelayMs));
    if (disk.failSync) {
      const error = new Error(`EIO: i/o error, ${name} (injected by the chaos suite)`);
      error.code = 'EIO';
      error.errno = -5;
      error.syscall = name;
      throw error;
    }
    return original.apply(this, rest);
  };
}

process.on('exit', (code) => {
  try {
    appendFileSync(join(base, `${id}.exit`), `${process.pid} ${code}\n`);
  } catch {
    // nothing to do: the runner then sees no exit record
  }
});

await import(pathToFileURL(topology.kvEntry).href);
