import { once } from 'node:events';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request as undiciRequest } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cores, lineCore } from './__fixtures__/line-core';
import { isProviderError, type Transport } from './index';

// What becomes of the caller's upload source however the call ends, and a `length` that is not
// the number of bytes the source gives.

let dir = '';
let file = '';
const opened: ReadStream[] = [];
const servers: http.Server[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upload-source-'));
  file = join(dir, 'blob.bin');
  await writeFile(file, Buffer.alloc(300_000, 7));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const stream of opened.splice(0)) stream.destroy();
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A file's ReadStream, its fd opened (as it is by the time a caller hands it over). */
async function fileStream(): Promise<ReadStream> {
  const stream = createReadStream(file);
  opened.push(stream);
  await once(stream, 'open');
  return stream;
}

/** A generator that says whether its body ran and whether its `finally` did. */
function watchedGenerator() {
  const state = { started: false, finished: false };
  async function* source() {
    state.started = true;
    try {
      for (;;) yield new Uint8Array(1_000);
    } finally {
      state.finished = true;
    }
  }
  return { state, source: source() };
}

/** Nothing listens on port 9 of the loopback: the connection is refused. */
const REFUSED = 'http://127.0.0.1:9';

const transports = {
  pool: {},
  agent: { pool: false as const },
  custom: { transport: ((url, options) => undiciRequest(url, options)) as Transport },
};

/** A custom transport that answers `statusCode` without reading the request's body. */
function answering(statusCode: number): Transport {
  return async () => ({
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: Readable.from([Buffer.from(statusCode < 300 ? '' : '{"error":"too large"}')]),
  });
}

/** The source is ended: a ReadStream destroyed and its fd closed, a generator done. */
async function expectEnded(stream: ReadStream, generator: AsyncGenerator<Uint8Array>) {
  await vi.waitFor(() => expect(stream.destroyed).toBe(true), { timeout: 2_000 });
  await vi.waitFor(() => expect(stream.closed).toBe(true), { timeout: 2_000 });
  // Never started, so its body never ran: `return()` completed it, and it yields nothing more.
  expect(await generator.next()).toEqual({ done: true, value: undefined });
}

describe('ProviderCore.request ends the upload source nothing read', () => {
  for (const [name, options] of Object.entries(transports)) {
    it(`closes a ReadStream and a generator when the connection is refused (${name})`, async () => {
      const core = lineCore(REFUSED, options);
      const stream = await fileStream();
      const error = await core
        .request({ endpoint: '/u', method: 'POST', body: { data: stream } })
        .catch((e) => e);
      expect(isProviderError(error) && error.kind).toBe('connection');
      const { state, source } = watchedGenerator();
      const second = await core
        .request({ endpoint: '/u', method: 'POST', body: { data: source } })
        .catch((e) => e);
      expect(isProviderError(second) && second.kind).toBe('connection');
      expect(state.started).toBe(false);
      await expectEnded(stream, source);
    });
  }

  it('closes the source of a call whose signal was aborted before it began', async () => {
    const core = lineCore(REFUSED, {});
    const stream = await fileStream();
    const { state, source } = watchedGenerator();
    const reason = new Error('not wanted');
    for (const data of [stream, source]) {
      const error = await core
        .request({
          endpoint: '/u',
          method: 'POST',
          body: { data },
          signal: AbortSignal.abort(reason),
        })
        .catch((e) => e);
      expect(error).toBe(reason);
    }
    expect(state.started).toBe(false);
    await expectEnded(stream, source);
  });

  for (const status of [200, 413]) {
    it(`closes the source a custom transport answered ${status} without reading`, async () => {
      const core = lineCore(REFUSED, { transport: answering(status) });
      const stream = await fileStream();
      const { state, source } = watchedGenerator();
      for (const data of [stream, source]) {
        const outcome = await core
          .request({ endpoint: '/u', method: 'POST', body: { data } })
          .catch((e) => e);
        if (status === 200) expect(outcome).toMatchObject({ status: 200 });
        else expect(isProviderError(outcome) && outcome.kind).toBe('api');
      }
      expect(state.started).toBe(false);
      await expectEnded(stream, source);
    });
  }

  it("runs a started generator's finally when a custom transport answers after one chunk", async () => {
    const transport: Transport = async (_url, options) => {
      const body = options.body as Readable;
      for await (const _chunk of body) break;
      return answering(200)(_url, options);
    };
    const core = lineCore(REFUSED, { transport });
    const { state, source } = watchedGenerator();
    await core.request({ endpoint: '/u', method: 'POST', body: { data: source } });
    expect(state.started).toBe(true);
    await vi.waitFor(() => expect(state.finished).toBe(true), { timeout: 5_000 });
  });
});

/** A loopback server that reads the whole request and answers 201; counts what it was sent. */
async function reader() {
  const seen: number[] = [];
  const server = http.createServer((req, res) => {
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
    });
    req.on('end', () => {
      seen.push(size);
      res.writeHead(201).end();
    });
    req.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function* bytes(total: number, size = 1_000) {
  for (let at = 0; at < total; at += size) yield new Uint8Array(Math.min(size, total - at));
}

describe('ProviderCore.request with a body.length that is not the bytes', () => {
  for (const [name, options] of Object.entries(transports)) {
    it(`ends with a RangeError naming body.length, for too few and too many bytes (${name})`, async () => {
      const { url } = await reader();
      const core = lineCore(url, { ...options, retry: { retries: 2, baseDelayMs: 1 } });
      const cases = [
        { length: 5_000, sent: 3_500, message: /`body\.length` \(5000\).*3500 bytes/ },
        { length: 2_000, sent: 3_500, message: /`body\.length` \(2000\).*more than 2000 bytes/ },
      ];
      for (const { length, sent, message } of cases) {
        const error = await core
          .request({ endpoint: '/u', method: 'POST', body: { data: bytes(sent), length } })
          .catch((e) => e);
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toMatch(message);
        expect(isProviderError(error)).toBe(false);
      }
      // A wrapper's own option is named instead, when it says which.
      const named = await core
        .request({
          endpoint: '/u',
          method: 'POST',
          body: {
            data: bytes(3_500),
            length: 5_000,
            names: { length: 'options.size', data: 'data' },
          },
        })
        .catch((e) => e);
      expect(named.message).toBe(
        'Expected `options.size` (5000) to be the number of bytes of `data`, got 3500 bytes',
      );
      // The core is usable afterwards: a right length goes through.
      const answer = await core.request({
        endpoint: '/u',
        method: 'POST',
        body: { data: bytes(3_500), length: 3_500 },
      });
      expect(answer.status).toBe(201);
    });
  }
});

describe("ProviderCore.request with undici's own length mismatch", () => {
  it('reports it as the RangeError naming body.length, with a scrubbed copy of it as cause', async () => {
    const mismatch = Object.assign(
      new Error('Request body length does not match content-length header'),
      {
        code: 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
      },
    );
    const core = lineCore(REFUSED, {
      transport: async () => {
        throw mismatch;
      },
    });
    const error = await core
      .request({ endpoint: '/u', method: 'POST', body: { data: new Uint8Array(10) } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^Expected `body\.length`/);
    // A copy (name, message, code): a custom transport's own error may hold the request's headers.
    expect(error.cause).not.toBe(mismatch);
    expect(error.cause).toMatchObject({
      name: 'Error',
      message: mismatch.message,
      code: 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
    });
  });
});
