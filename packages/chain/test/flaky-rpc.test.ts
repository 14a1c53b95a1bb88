// Transient RPC failures between the client and the node: the submission is retried and still
// lands exactly once. A proxy on 127.0.0.1 forwards to anvil and can drop answers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keccak256, toUtf8Bytes, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, TaskManagerClient, taskResponseDigest } from '../src/index.js';
import { type AvsNetwork, aggregateFor, startAvsNetwork } from './support/avs-network.js';

let net: AvsNetwork;
let proxy: Server;
let proxyUrl: string;
/** Methods whose next answer is replaced by a 502 after the node has processed the request. */
const dropAnswerOnce = new Set<string>();
/** Methods refused with 503 (not forwarded) the next N times. */
const refuse = new Map<string, number>();
const forwarded: string[] = [];

beforeAll(async () => {
  net = await startAvsNetwork({ count: 3, stake: 100n });
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const methods = [...body.matchAll(/"method":"([a-zA-Z_]+)"/g)].map((m) => m[1]!);
      for (const m of methods) {
        const n = refuse.get(m) ?? 0;
        if (n > 0) {
          refuse.set(m, n - 1);
          res.writeHead(503).end('unavailable');
          return;
        }
      }
      forwarded.push(...methods);
      const upstream = await fetch(net.avs.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await upstream.text();
      const dropped = methods.find((m) => dropAnswerOnce.has(m));
      if (dropped) {
        dropAnswerOnce.delete(dropped);
        res.writeHead(502).end('bad gateway');
        return;
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => proxy?.close(() => resolve()));
  await net?.close();
});

describe('TaskManagerClient over a flaky RPC', () => {
  it('retries refused calls and a lost broadcast answer, and the response lands exactly once', async () => {
    const provider = createProvider(proxyUrl, { chainId: Number(net.avs.deployment.chainId) });
    try {
      const signer = new Wallet(net.avs.accounts[1]!.privateKey, provider);
      const tasks = new TaskManagerClient({
        provider,
        taskManager: net.tasks.address,
        reader: net.reader,
        signer,
        retry: { attempts: 5, baseDelayMs: 5 },
        transactions: { receiptPollMs: 10 },
      });
      const created = await net.tasks.createTask({
        payloadHash: keccak256(toUtf8Bytes('flaky')),
        quorumNumbers: [0],
        quorumThresholdPercentage: 67,
      });
      const response = { referenceTaskIndex: created.taskIndex, result: '0xbeef' };
      const digest = taskResponseDigest(response);
      const aggregate = await aggregateFor(
        net,
        created.taskIndex,
        created.task,
        digest,
        net.operators.map((o) => o.key),
      );
      const nonceBefore = await net.provider.getTransactionCount(signer.address, 'latest');
      refuse.set('eth_call', 2);
      refuse.set('eth_estimateGas', 1);
      refuse.set('eth_sendRawTransaction', 1);
      dropAnswerOnce.add('eth_sendRawTransaction');
      const submitted = await tasks.submitResponse(created.task, response, aggregate);
      expect(submitted.gasUsed).toBeGreaterThan(0n);
      // The first broadcast was refused, the second reached the node but its answer was lost: the
      // client found the transaction by hash instead of sending another one.
      expect(refuse.get('eth_sendRawTransaction')).toBe(0);
      expect(forwarded.filter((m) => m === 'eth_sendRawTransaction')).toHaveLength(1);
      expect(forwarded).toContain('eth_getTransactionByHash');
      // ... yet exactly one transaction was mined and the task has its response.
      expect(await net.provider.getTransactionCount(signer.address, 'latest')).toBe(nonceBefore + 1);
      expect(await net.tasks.isResponded(created.taskIndex)).toBe(true);
      expect(dropAnswerOnce.size).toBe(0);
      expect(refuse.get('eth_call')).toBe(0);
    } finally {
      provider.destroy();
    }
  });
});
