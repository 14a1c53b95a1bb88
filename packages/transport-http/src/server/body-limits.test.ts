import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { HttpError } from '../errors.js';
import { drainedBodyLimit } from './drained-body-limit.js';
import { decodeJson } from './parse-json.js';

const tooLarge = () => new HttpError(413, 'BODY_TOO_LARGE', 'too large');

function app(maxBytes: number, drainBytes?: number) {
  const a = new Hono();
  a.onError((e, c) =>
    e instanceof HttpError ? c.json({ code: e.code }, e.status as 413) : c.json({ code: 'X' }, 500),
  );
  a.post('/', drainedBodyLimit(maxBytes, tooLarge, drainBytes), async (c) =>
    c.json({ length: (await c.req.arrayBuffer()).byteLength }),
  );
  return { a };
}

/** A chunked body of `chunks` x `size` bytes that records how many chunks the server pulled. */
function counted(chunks: number, size: number) {
  const pulled = { n: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.n === chunks) return controller.close();
      pulled.n++;
      controller.enqueue(new Uint8Array(size));
    },
  });
  return { stream, pulled };
}

describe('drainedBodyLimit', () => {
  it('hands a body within the limit to the handler', async () => {
    const res = await app(100).a.request('/', { method: 'POST', body: 'x'.repeat(100) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ length: 100 });
  });

  it('reads an oversized chunked body to its end, then answers 413', async () => {
    const { stream, pulled } = counted(10, 50);
    const res = await app(100).a.request('/', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(pulled.n).toBe(10);
  });

  it('stops reading past the drain bound, and refuses a declared length past it unread', async () => {
    const { stream, pulled } = counted(1000, 50);
    const res = await app(100, 500).a.request('/', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(pulled.n).toBeLessThan(20);
    const declared = await app(100, 500).a.request('/', {
      method: 'POST',
      body: 'x'.repeat(600),
      headers: { 'content-length': '600' },
    });
    expect(declared.status).toBe(413);
  });
});

describe('decodeJson', () => {
  const schema = z.object({ a: z.number() });

  it('parses bytes or text and validates them', () => {
    expect(decodeJson(new TextEncoder().encode('{"a":1}'), schema)).toEqual({ a: 1 });
    expect(decodeJson('{"a":2}', schema)).toEqual({ a: 2 });
  });

  it('refuses malformed JSON, invalid UTF-8 and a body the schema rejects with 400s', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as HttpError).code;
      }
      return 'none';
    };
    expect(codeOf(() => decodeJson('{', schema))).toBe('MALFORMED_JSON');
    expect(codeOf(() => decodeJson(new Uint8Array([0x7b, 0xff, 0x7d]), schema))).toBe('MALFORMED_JSON');
    expect(codeOf(() => decodeJson('{"a":"x"}', schema))).toBe('INVALID_BODY');
  });
});
