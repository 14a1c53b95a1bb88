/**
 * One kv server process, assembled à la carte from the packages:
 * a `Storage` (`@avs/storage-file` by default, LevelDB or DynamoDB by flag),
 * `@avs/transport-http` (Raft server, HttpTransport, shared-secret handshakes)
 * and `@avs/raft-core`'s `RaftNode` inside a {@link KvNode}; the client API is
 * served on its own port, the Raft traffic on another.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Logger, Storage } from '@avs/raft-core';
import { FileStorage } from '@avs/storage-file';
import { createRaftServer, HttpTransport, sharedSecretScheme } from '@avs/transport-http';
import { createPooledFetch, serveNode } from '@avs/transport-http/node';
import { createKvApi } from './kv-api.js';
import { KvNode } from './kv-node.js';
import type { KvServerConfig } from './server-config.js';

/** A listening HTTP server (whatever `serveNode` returns). */
type Served = Awaited<ReturnType<typeof serveNode>>;

/** A running server. */
export interface RunningKvServer {
  readonly node: KvNode;
  /** Base URLs the servers listen on. */
  readonly peerUrl: string;
  readonly clientUrl: string;
  /** Resolves with the cause when the node stops on a fatal error (a failed disk write): exit then. */
  readonly fatal: Promise<unknown>;
  /** Stops serving clients, stops Raft, closes the peer server and the storage. Idempotent. */
  close(): Promise<void>;
}

async function openStorage(config: KvServerConfig, logger: Logger): Promise<Storage> {
  switch (config.storage) {
    case 'file':
      return FileStorage.open({ dir: join(config.dataDir, 'raft'), logger });
    case 'level': {
      // Loaded on demand so the default backend does not load LevelDB's native module.
      const { createLevelStorage } = await import('@avs/storage-level');
      return createLevelStorage({ location: join(config.dataDir, 'level') });
    }
    case 'dynamodb': {
      const { createDynamoStorage } = await import('@avs/storage-dynamodb');
      const d = config.dynamodb;
      return createDynamoStorage({
        tableName: d.table,
        clusterId: config.clusterId,
        nodeId: config.id,
        clientConfig: { region: d.region, ...(d.endpoint ? { endpoint: d.endpoint } : {}) },
        createTableIfMissing: d.createTable,
      });
    }
  }
}

/**
 * Opens the storage, starts Raft and both HTTP servers.
 * @throws DirectoryLockedError when another process has the data directory; KvConfigError, RaftConfigError
 */
export async function startKvServer(config: KvServerConfig, logger: Logger): Promise<RunningKvServer> {
  const storage = await openStorage(config, logger);
  const scheme = sharedSecretScheme({
    nodeId: config.id,
    secret: config.secret,
    domain: {
      chainId: 0,
      verifyingContract: `0x${'00'.repeat(20)}`,
      clusterId: `0x${createHash('sha256').update(config.clusterId).digest('hex')}`,
    },
  });
  let node: KvNode | undefined;
  const founding = new Set(config.members.map((m) => m.id));
  const raftServer = createRaftServer({
    scheme,
    membership: { isMember: (peer) => node?.isKnown(peer) ?? founding.has(peer) },
    status: () => (node ? { raft: node.status() } : {}),
  });
  const pooled = createPooledFetch({ connections: 4 });
  const transport = new HttpTransport({ scheme, server: raftServer, fetch: pooled.fetch });
  let peerServer: Served | undefined;
  let clientServer: Served | undefined;
  try {
    peerServer = await serveNode(raftServer.fetch, { hostname: config.host, port: config.peerPort });
    node = await KvNode.start({
      id: config.id,
      storage,
      transport,
      members: config.members,
      links: transport,
      raft: config.raft,
      logger,
      ...(config.join ? {} : { bootstrap: config.members.map((m) => m.id) }),
    });
    clientServer = await serveNode(createKvApi(node).fetch, {
      hostname: config.host,
      port: config.clientPort,
    });
  } catch (error) {
    await node?.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
    await peerServer?.close();
    await storage.close().catch(() => undefined);
    await pooled.close().catch(() => undefined);
    throw error;
  }
  const running = node;
  const fatal = new Promise<unknown>((resolve) => {
    running.raft.on('stopped', ({ error }) => {
      if (error !== undefined) resolve(error);
    });
  });
  const served = { peer: peerServer, client: clientServer };
  let closing: Promise<void> | undefined;
  return {
    node: running,
    peerUrl: served.peer.url,
    clientUrl: served.client.url,
    fatal,
    close: () => {
      closing ??= (async () => {
        await served.client.close();
        await running.close();
        await served.peer.close();
        await storage
          .close()
          .catch((error) => logger.warn('closing storage failed', { error: String(error) }));
        await pooled.close().catch(() => undefined);
      })();
      return closing;
    },
  };
}
