import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to one request instead of (or before) forwarding it. */
export type Fault = 'throttle' | 'unprocess-batch' | 'drop-connection' | 'server-error';

/**
 * A real HTTP proxy on 127.0.0.1 in front of a DynamoDB endpoint that turns
 * chosen requests into DynamoDB's own error responses (throttling, 500s,
 * BatchWriteItem answering "nothing processed") or dropped connections, so
 * the backend's retry code meets the faults over the wire.
 */
export class FaultProxy {
  /** Requests seen, by DynamoDB operation (the `X-Amz-Target` suffix). */
  readonly seen = new Map<string, number>();
  /** Faults injected, by kind. */
  readonly injected = new Map<Fault, number>();
  private readonly queue: Array<{ fault: Fault; operation?: string }> = [];
  private always: Fault | undefined;

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly endpoint: string,
  ) {}

  /** Starts a proxy forwarding to `target` (e.g. dynalite's endpoint). */
  static async start(target: string): Promise<FaultProxy> {
    const upstream = new URL(target);
    let proxy: FaultProxy | undefined;
    const server = createServer((req, res) => void proxy!.handle(req, res, upstream));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new FaultProxy(server, `http://127.0.0.1:${port}`);
    return proxy;
  }

  /** Injects `fault` into the next `count` requests (of `operation`, when given, e.g. `BatchWriteItem`). */
  failNext(fault: Fault, count: number, operation?: string): void {
    for (let i = 0; i < count; i++) this.queue.push(operation ? { fault, operation } : { fault });
  }

  /** Injects `fault` into every request from now on (undefined to stop). */
  failAlways(fault: Fault | undefined): void {
    this.always = fault;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, upstream: URL): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    this.seen.set(operation, (this.seen.get(operation) ?? 0) + 1);
    const fault = this.takeFault(operation);
    if (fault) this.injected.set(fault, (this.injected.get(fault) ?? 0) + 1);
    switch (fault) {
      case 'throttle':
        return reply(res, 400, {
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        });
      case 'server-error':
        return reply(res, 500, {
          __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
          message: 'Internal server error',
        });
      case 'unprocess-batch': {
        const { RequestItems } = JSON.parse(body.toString('utf8')) as { RequestItems: unknown };
        return reply(res, 200, { UnprocessedItems: RequestItems });
      }
      case 'drop-connection':
        req.socket.destroy();
        return;
      default:
        return this.forward(req, res, body, upstream);
    }
  }

  private takeFault(operation: string): Fault | undefined {
    if (this.always) return this.always;
    const at = this.queue.findIndex((f) => f.operation === undefined || f.operation === operation);
    if (at < 0) return undefined;
    return this.queue.splice(at, 1)[0]!.fault;
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer, upstream: URL): void {
    const out = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': 'fault-proxy',
  });
  res.end(text);
}
