import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { errorTexts, expectNoSecret } from '@x/internal/testing';
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isOllamaApiError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';

const sims: OllamaSim[] = [];
const servers: http.Server[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.destroy()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function setup(): Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
  const sim = await startOllamaSim({ loadTimeMs: 0 });
  sims.push(sim);
  const provider = createOllamaProvider({
    baseUrl: sim.url,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  providers.push(provider);
  return { sim, provider };
}

/** Bytes the simulator takes for a GGUF file (its magic, then anything). */
const gguf = (size: number) => Buffer.concat([Buffer.from('GGUF'), randomBytes(size - 4)]);
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const blobPosts = (sim: OllamaSim) =>
  sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/blobs/')).length;

async function* chunks(bytes: Uint8Array, size: number) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('OllamaProvider.pushBlob and hasBlob', () => {
  it('uploads bytes, returns their sha256 digest, and create({ files }) uses it', async () => {
    const { provider } = await setup();
    const bytes = gguf(100_000);
    const digest = await provider.pushBlob(bytes);
    expect(digest).toBe(sha256(bytes));
    expect(await provider.hasBlob(digest)).toBe(true);
    const statuses: string[] = [];
    for await (const event of provider.create({ model: 'mine', files: { 'model.gguf': digest } })) {
      statuses.push(event.status);
    }
    expect(statuses.at(-1)).toBe('success');
    expect((await provider.listModels()).map((m) => m.name)).toContain('mine:latest');
  });

  it('creates from a digest written in upper case, the blob hasBlob and pushBlob name', async () => {
    // Ollama opens `blobs/sha256-<hex as sent>`: upper-case hex (PowerShell's Get-FileHash) names
    // no file on a case-sensitive disk, where the upload stored the lower-case name.
    const { provider } = await setup();
    const bytes = gguf(1000);
    const upper = `sha256:${sha256(bytes).slice(7).toUpperCase()}`;
    expect(await provider.pushBlob(bytes, { digest: upper })).toBe(sha256(bytes));
    expect(await provider.hasBlob(upper)).toBe(true);
    const statuses: string[] = [];
    const files = { 'model.gguf': upper.replace(':', '-') };
    for await (const event of provider.create({ model: 'upper', files })) {
      statuses.push(event.status);
    }
    expect(statuses.at(-1)).toBe('success');
  });

  it('answers false for a blob the server does not hold', async () => {
    const { provider } = await setup();
    expect(await provider.hasBlob(sha256(randomBytes(10)))).toBe(false);
  });

  it('streams a Readable with its digest and size', async () => {
    const { provider } = await setup();
    const bytes = gguf(300_000);
    const digest = sha256(bytes);
    const returned = await provider.pushBlob(Readable.from(chunks(bytes, 16_384)), {
      digest: digest.replace(':', '-').toUpperCase().replace('SHA256-', 'sha256-'),
      size: bytes.length,
    });
    expect(returned).toBe(digest);
    expect(await provider.hasBlob(digest)).toBe(true);
  });

  it('ends with a typed 400, sent once, when the bytes are not the digest', async () => {
    const { sim, provider } = await setup();
    const wrong = sha256(randomBytes(10));
    const error = await provider.pushBlob(gguf(1000), { digest: wrong }).catch((e) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 400, retryable: false });
    expect(error.message).toMatch(/digest mismatch/);
    expect(blobPosts(sim)).toBe(1);
    expect(await provider.hasBlob(wrong)).toBe(false);
  });

  it('refuses bad arguments before sending anything', async () => {
    const { sim, provider } = await setup();
    const stream = () => chunks(gguf(10), 5);
    await expect(provider.hasBlob('sha256:abc')).rejects.toThrow(/`digest`/);
    await expect(provider.hasBlob(sha256(gguf(10)), { sginal: 1 } as never)).rejects.toThrow(
      /sginal/,
    );
    await expect(provider.pushBlob('text' as never)).rejects.toThrow(/`data`/);
    await expect(provider.pushBlob(stream())).rejects.toThrow(/`options.digest`/);
    await expect(provider.pushBlob(gguf(10), { digest: 'md5:1' })).rejects.toThrow(
      /`options.digest`/,
    );
    await expect(provider.pushBlob(gguf(10), { size: 11 })).rejects.toThrow(RangeError);
    await expect(provider.pushBlob(gguf(10), { signal: 'x' as never })).rejects.toThrow(
      /`options.signal`/,
    );
    expect(sim.requests.filter((r) => r.path.startsWith('/api/blobs/'))).toHaveLength(0);
  });

  it('ends with a RangeError naming options.size, sent once, when the stream is longer or shorter', async () => {
    const { sim, provider } = await setup();
    const bytes = gguf(50_000);
    const digest = sha256(bytes);
    for (const size of [bytes.length + 10, bytes.length - 10]) {
      const error = await provider
        .pushBlob(chunks(bytes, 16_384), { digest, size })
        .catch((e) => e);
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toMatch(new RegExp(`^Expected \`options.size\` \\(${size}\\)`));
      expect(error.message).toMatch(/`data`/);
    }
    expect(blobPosts(sim)).toBeLessThanOrEqual(2);
    expect(await provider.hasBlob(digest)).toBe(false);
    expect(provider.stats()).toMatchObject({ inFlight: 0 });
  });

  it('ends an upload aborted mid-way with the signal reason and frees its socket', async () => {
    const { provider } = await setup();
    const controller = new AbortController();
    let sent = 0;
    let ended = false;
    async function* slow() {
      try {
        for (;;) {
          sent++;
          yield randomBytes(16_384);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      } finally {
        ended = true;
      }
    }
    const reason = new Error('stop uploading');
    const digest = sha256(randomBytes(1));
    const upload = provider.pushBlob(slow(), { digest, signal: controller.signal });
    await vi.waitFor(() => expect(sent).toBeGreaterThan(3), { timeout: 5_000 });
    controller.abort(reason);
    await expect(upload).rejects.toBe(reason);
    expect(provider.stats()).toMatchObject({ inFlight: 0, failures: 0 });
    // The request leaves the pool and the source is ended (its `finally` ran): nothing is left
    // sending. (The pool may open a fresh idle connection: the aborted one is closed.)
    await vi.waitFor(
      () => {
        expect(provider.pool!.stats().totals).toMatchObject({ running: 0, pending: 0, queued: 0 });
        expect(ended).toBe(true);
      },
      { timeout: 5_000 },
    );
  });

  it('throws a typed error naming baseUrl, not false, when a 404 is not Ollama’s JSON blob answer', async () => {
    // What answers 404 to every path where Ollama is not: gin's own text 404 (a wrong path on an
    // Ollama server), a proxy's HTML page, an empty answer.
    const answers: [string | undefined, string][] = [
      ['text/plain', '404 page not found'],
      ['text/html; charset=utf-8', '<html><body>Not Found</body></html>'],
      [undefined, ''],
    ];
    let answer = answers[0]!;
    let ollama = false;
    const server = http.createServer((req, res) => {
      if (ollama) {
        // HeadBlobHandler's `{"error":"blob … not found"}`: net/http keeps its type and length
        // and drops its body.
        const written = JSON.stringify({ error: `blob "${req.url!.split('/').pop()}" not found` });
        res.writeHead(404, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(written),
        });
        res.end();
        return;
      }
      const [type, body] = answer;
      res.writeHead(404, type === undefined ? {} : { 'content-type': type });
      res.end(body);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const key = 'sk-blob-proxy-key-0123456789';
    const header = 'proxy-token-abcdef0123456789';
    const provider = createOllamaProvider({
      baseUrl: `${origin}/ollama`,
      apiKey: key,
      headers: { 'x-proxy-token': header },
      retry: false,
    });
    providers.push(provider);
    const digest = sha256(randomBytes(10));
    const errors: unknown[] = [];
    for (answer of answers) {
      const error = await provider.hasBlob(digest).catch((e: unknown) => e);
      expect(isOllamaApiError(error), String(answer[0])).toBe(true);
      expect(error).toMatchObject({ statusCode: 404, retryable: false });
      expect((error as Error).message).toContain(`HEAD ${origin}/ollama/api/blobs/${digest}`);
      expect((error as Error).message).toMatch(/Is baseUrl right\?/);
      errors.push(error);
    }
    const everything = errorTexts(errors).join('\n');
    for (const secret of [key, header]) {
      expectNoSecret(everything, secret, { shows: 'Is baseUrl right?' });
    }
    // The same address answering as Ollama does for a blob it lacks: false, no failure counted.
    ollama = true;
    expect(await provider.hasBlob(digest)).toBe(false);
    expect(provider.stats()).toMatchObject({ inFlight: 0, failures: 0 });
  });

  it('throws a typed error for a 500 to HEAD, not false', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const provider = createOllamaProvider({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      retry: false,
    });
    providers.push(provider);
    const error = await provider.hasBlob(sha256(randomBytes(10))).catch((e) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error.statusCode).toBe(500);
  });
});
