import { once } from 'node:events';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isOllamaError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';

// What becomes of the stream handed to pushBlob: a file that cannot be opened ends the call with
// its own error (never an uncaught 'error'), every way the call can end closes the stream, a
// chunk that is not bytes is named as the argument `data`, and close() ends an upload in progress.

const digest = `sha256:${'a'.repeat(64)}`;
const sims: OllamaSim[] = [];
const servers: http.Server[] = [];
const providers: OllamaProvider[] = [];
const opened: ReadStream[] = [];
let dir = '';
let file = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blob-stream-ends-'));
  file = join(dir, 'model.gguf');
  await writeFile(file, Buffer.alloc(4096, 1));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const stream of opened.splice(0)) stream.destroy();
  await Promise.all(providers.splice(0).map((p) => p.destroy()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

function provider(baseUrl: string, options: Parameters<typeof createOllamaProvider>[0] = {}) {
  const p = createOllamaProvider({ baseUrl, retry: false, ...options });
  providers.push(p);
  return p;
}

async function sim(): Promise<OllamaSim> {
  const s = await startOllamaSim({ loadTimeMs: 0 });
  sims.push(s);
  return s;
}

async function server(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** A file's stream, its fd opened, as a caller usually hands it over. */
async function openStream(): Promise<ReadStream> {
  const stream = createReadStream(file);
  opened.push(stream);
  await once(stream, 'open');
  return stream;
}

describe('pushBlob with a file that cannot be opened', () => {
  it('rejects with the ENOENT of a missing file, nothing uncaught, nothing sent', async () => {
    const s = await sim();
    const ollama = provider(s.url, { breaker: { failureThreshold: 1 } });
    const missing = createReadStream(join(dir, 'no-such-model.gguf'));
    const error = await ollama.pushBlob(missing, { digest }).catch((e) => e);
    expect(error.code).toBe('ENOENT');
    expect(isOllamaError(error)).toBe(false);
    expect(missing.destroyed).toBe(true);
    // The caller's own mistake says nothing of the server: the breaker stays closed.
    expect(ollama.breaker?.state).toBe('closed');
    expect(s.requests.filter((r) => r.path.startsWith('/api/blobs/'))).toHaveLength(0);
  });

  it('rejects with the EISDIR of a path that opens but cannot be read (a folder)', async () => {
    // Opening succeeds and the first read fails: the error comes later than ENOENT's, from a
    // stream already handed over (permissions cannot show it: the tests may run as root).
    const s = await sim();
    const folder = createReadStream(dir);
    const error = await provider(s.url)
      .pushBlob(folder, { digest })
      .catch((e) => e);
    expect(error.code).toBe('EISDIR');
    expect(folder.destroyed).toBe(true);
  });

  it('ends at once, without waiting for a server that never accepts the request', async () => {
    // A server that takes the connection and never answers: the file's error must not wait for it.
    const url = await server(() => {});
    const ollama = provider(url, { timeouts: { firstTokenMs: 30_000, idleMs: 30_000 } });
    const started = performance.now();
    const error = await ollama
      .pushBlob(createReadStream(join(dir, 'gone.gguf')), { digest })
      .catch((e) => e);
    expect(error.code).toBe('ENOENT');
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('pushBlob ends the stream however the call ends', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['after close()', { digest }, true],
    ['a malformed digest', { digest: 'sha256:xyz' }, false],
    ['an unknown option', { digest, sizee: 1 }, false],
    ['no digest', {}, false],
    ['a negative size', { digest, size: -1 }, false],
  ];
  it.each(cases)('destroys the Readable when it fails on %s', async (_label, options, close) => {
    const s = await sim();
    const ollama = provider(s.url);
    if (close) await ollama.close();
    const stream = await openStream();
    await expect(ollama.pushBlob(stream, options as never)).rejects.toThrow();
    expect(stream.destroyed).toBe(true);
    await vi.waitFor(() => expect(stream.closed).toBe(true));
  });

  it('ends a generator that was handed over with bad options', async () => {
    const s = await sim();
    let finished = false;
    async function* source() {
      try {
        yield new Uint8Array(4);
      } finally {
        finished = true;
      }
    }
    const generator = source();
    await generator.next();
    await expect(provider(s.url).pushBlob(generator, { digest: 'nope' })).rejects.toThrow();
    expect(finished).toBe(true);
  });
});

describe('pushBlob with chunks that are not bytes', () => {
  it('names the argument `data`, as the size error does', async () => {
    const s = await sim();
    const error = await provider(s.url)
      .pushBlob(Readable.from(['text']) as never, { digest })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('Expected every chunk of `data` to be a Uint8Array, got String');
  });
});

describe('close() and an upload in progress', () => {
  it('ends the upload at once with the closed error, as it ends pull/push/create', async () => {
    const url = await server((req, res) => {
      req.resume();
      req.on('end', () => res.end());
    });
    const ollama = provider(url);
    let finished = false;
    async function* slow() {
      try {
        for (let i = 0; i < 100; i++) {
          yield new Uint8Array(1024);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        finished = true;
      }
    }
    const upload = ollama.pushBlob(slow(), { digest }).catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    await ollama.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    const error = await upload;
    expect(isOllamaError(error) && error.kind).toBe('closed');
    await vi.waitFor(() => expect(finished).toBe(true));
  }, 20_000);
});
