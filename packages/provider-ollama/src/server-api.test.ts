import type http from 'node:http';
import { Readable } from 'node:stream';
import { freePort, until } from '@x/internal/testing';
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import type { Transport } from '@x/provider-core';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFixture, startServer, type TestServer } from './__fixtures__/server';
import { isModelNotFoundError, isOllamaConnectionError, isOllamaStreamError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ProgressEvent } from './types';

const servers: (TestServer | OllamaSim)[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  delete process.env.OLLAMA_API_KEY;
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(routes: Parameters<typeof startServer>[0]) {
  const server = await startServer(routes);
  servers.push(server);
  const provider = createOllamaProvider({ baseUrl: server.url, retry: { baseDelayMs: 1 } });
  providers.push(provider);
  return { server, provider };
}

const json = (status: number, body: unknown) => (_req: unknown, res: http.ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

/** A pull that reports `steps` progress lines, one per `gapMs`, then success. */
const progress =
  (steps: number, gapMs = 0) =>
  async (_req: unknown, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write('{"status":"pulling manifest"}\n');
    for (let i = 1; i <= steps && !res.destroyed; i++) {
      res.write(
        `${JSON.stringify({ status: 'pulling sha256:aaa', digest: 'sha256:aaa', total: steps * 100, completed: i * 100 })}\n`,
      );
      await new Promise((r) => setTimeout(r, gapMs));
    }
    if (!res.destroyed) res.end('{"status":"verifying sha256 digest"}\n{"status":"success"}\n');
  };

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('OllamaProvider.pull', () => {
  it('yields typed progress ending with success, sending stream: true', async () => {
    const { server, provider } = await setup({ '/api/pull': progress(3) });
    const events = await collect(provider.pull({ model: 'llama3.2', insecure: true }));
    expect(server.requests[0]!.json).toEqual({ model: 'llama3.2', insecure: true, stream: true });
    expect(events[0]).toEqual({
      status: 'pulling manifest',
      digest: undefined,
      total: undefined,
      completed: undefined,
    });
    expect(events[1]).toEqual({
      status: 'pulling sha256:aaa',
      digest: 'sha256:aaa',
      total: 300,
      completed: 100,
    });
    expect(events.at(-1)!.status).toBe('success');
  });

  it('stops the download on the server when aborted midway (real clock: the server paces lines)', async () => {
    const { server, provider } = await setup({ '/api/pull': progress(1000, 5) });
    const controller = new AbortController();
    const seen: ProgressEvent[] = [];
    const reason = new Error('user cancelled');
    const pulling = (async () => {
      for await (const event of provider.pull({ model: 'big', signal: controller.signal })) {
        seen.push(event);
        if (seen.length === 3) controller.abort(reason);
      }
    })();
    await expect(pulling).rejects.toBe(reason);
    await until(() => server.aborted() === 1);
    expect(seen.length).toBe(3);
  });

  // A missing manifest is a ModelNotFoundError instead (model-not-found-hints.test.ts).
  it('turns an error line of a failed download into a typed stream error', async () => {
    const { provider } = await setup({
      '/api/pull': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end('{"status":"pulling manifest"}\n{"error":"max retries exceeded: part stalled"}\n');
      },
    });
    const error = await collect(provider.pull({ model: 'nope' })).catch((e: unknown) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect((error as Error).message).toContain('max retries exceeded: part stalled');
  });

  it('ends a download whose server trickles blank lines at the idle deadline (real clock)', async () => {
    const server = await startServer({
      '/api/pull': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"status":"pulling manifest"}\n');
        const tick = setInterval(() => {
          if (res.destroyed) clearInterval(tick);
          else res.write('\n');
        }, 20);
        res.on('close', () => clearInterval(tick));
      },
    });
    servers.push(server);
    const provider = createOllamaProvider({
      baseUrl: server.url,
      retry: false,
      timeouts: { firstTokenMs: 2_000, idleMs: 300 },
    });
    providers.push(provider);
    const seen: string[] = [];
    const started = performance.now();
    const error = await (async () => {
      for await (const event of provider.pull({ model: 'm' })) seen.push(event.status);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['pulling manifest']);
    expect(error).toMatchObject({ timeout: 'idle', timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses a progress line without a status: `{}` is not progress', async () => {
    const { provider } = await setup({
      '/api/pull': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end('{"status":"pulling manifest"}\n{}\n');
      },
    });
    const error = await collect(provider.pull({ model: 'm' })).catch((e: unknown) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect((error as Error).message).toBe('Ollama sent a progress line without a status: {}');
  });

  it('checks the request before sending: unknown keys, a missing model', async () => {
    const { server, provider } = await setup({ '/api/pull': progress(1) });
    expect(() => provider.pull({ modle: 'x' } as never)).toThrow(/request\.modle.*request\.model/);
    expect(() => provider.create({ model: 'x' })).toThrow(/request\.from/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('model management', () => {
  it('pushes, creates, copies, deletes, shows, lists loaded models and reads the version', async () => {
    const { server, provider } = await setup({
      '/api/push': progress(1),
      '/api/create': progress(1),
      'POST /api/copy': json(200, {}),
      'DELETE /api/delete': json(200, {}),
      '/api/show': loadFixture('05-show-llama3.2.json'),
      '/api/ps': loadFixture('08-ps.json'),
      '/api/version': loadFixture('07-version.json'),
    });
    expect((await collect(provider.push({ model: 'me/llama3.2' }))).at(-1)!.status).toBe('success');
    await collect(
      provider.create({
        model: 'pirate',
        from: 'llama3.2',
        system: 'Talk like a pirate.',
        parameters: { temperature: 0.9, num_ctx: 8192 },
      }),
    );
    await provider.copyModel({ source: 'pirate', destination: 'pirate-copy' });
    await provider.deleteModel('pirate-copy');
    const show = await provider.show('llama3.2');
    expect(show).toHaveProperty('model_info');
    expect((await provider.ps()).map((m) => m.name)).toEqual([
      'llama3.2:latest',
      'nomic-embed-text:latest',
    ]);
    expect(await provider.version()).toBe('0.32.15');
    const byPath = (path: string) => server.requests.find((r) => r.path === path)!;
    expect(byPath('/api/create').json).toEqual({
      model: 'pirate',
      from: 'llama3.2',
      system: 'Talk like a pirate.',
      parameters: { temperature: 0.9, num_ctx: 8192 },
      stream: true,
    });
    expect(byPath('/api/copy').json).toEqual({ source: 'pirate', destination: 'pirate-copy' });
    expect(byPath('/api/delete')).toMatchObject({
      method: 'DELETE',
      json: { model: 'pirate-copy' },
    });
  });

  it('says which model is missing when deleting one the server does not have', async () => {
    const { provider } = await setup({
      'DELETE /api/delete': json(404, { error: "model 'ghost' not found" }),
    });
    const error = await provider.deleteModel('ghost').catch((e: unknown) => e);
    expect(isModelNotFoundError(error)).toBe(true);
    expect(error).toMatchObject({ model: 'ghost', retryable: false });
  });
});

describe('OllamaProvider.abortAll', () => {
  it('aborts every stream in flight with an AbortError and leaves new calls working', async () => {
    const { provider } = await setup({ '/api/pull': progress(1000, 5) });
    const first = collect(provider.pull({ model: 'a' }));
    const second = collect(provider.pull({ model: 'b' }));
    await new Promise((r) => setTimeout(r, 30));
    provider.abortAll();
    for (const pending of [first, second]) {
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    }
    const again = provider.pull({ model: 'c' })[Symbol.asyncIterator]();
    expect((await again.next()).value).toMatchObject({ status: 'pulling manifest' });
    await again.return?.();
  });
});

describe('OLLAMA_API_KEY', () => {
  /** A transport that records the headers of each request and answers a version. */
  function recording() {
    const headers: Array<Record<string, string>> = [];
    const transport: Transport = async (_url, options) => {
      headers.push(options.headers);
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: Readable.from([Buffer.from('{"version":"0.32.15"}')]),
      };
    };
    return { headers, transport };
  }

  it('is sent as a Bearer key to https://ollama.com only, as ollama-js does', async () => {
    process.env.OLLAMA_API_KEY = 'ollama-cloud-key-1234';
    const cloud = recording();
    const local = recording();
    const own = recording();
    const providersUnderTest = [
      createOllamaProvider({ baseUrl: 'https://ollama.com', transport: cloud.transport }),
      createOllamaProvider({ baseUrl: 'http://127.0.0.1:11434', transport: local.transport }),
      createOllamaProvider({
        baseUrl: 'https://ollama.com',
        apiKey: 'mine-5678',
        transport: own.transport,
      }),
    ];
    providers.push(...providersUnderTest);
    for (const provider of providersUnderTest) await provider.version();
    expect(cloud.headers[0]!.authorization).toBe('Bearer ollama-cloud-key-1234');
    expect(local.headers[0]!.authorization).toBeUndefined();
    expect(own.headers[0]!.authorization).toBe('Bearer mine-5678');
  });
});

describe('OllamaProvider.initialize (real clock)', () => {
  it('sees a server that comes up after the backoff steps would have passed the deadline', async () => {
    const port = await freePort();
    const provider = createOllamaProvider({ baseUrl: `http://127.0.0.1:${port}` });
    providers.push(provider);
    // Backoff probes at about 0, 100, 300 and 700 ms; the next full step (800 ms) would end past
    // the deadline, so what is left is halved instead of giving up at 700 ms.
    const started = performance.now();
    const up = new Promise<void>((resolve) =>
      setTimeout(async () => {
        servers.push(await startOllamaSim({ port }));
        resolve();
      }, 800),
    );
    const result = await provider.initialize({ timeoutMs: 1_400 });
    await up;
    expect(typeof result.version).toBe('string');
    expect(performance.now() - started).toBeGreaterThan(750);
  });

  it('bounds the /api/tags step by timeoutMs too: the connection error, not a later timeout', async () => {
    const server = await startServer({
      '/api/version': json(200, { version: '0.32.15' }),
      // Answers nothing until the client goes away.
      '/api/tags': () => {},
    });
    servers.push(server);
    const provider = createOllamaProvider({
      baseUrl: server.url,
      retry: { baseDelayMs: 1 },
      // Unbounded by timeoutMs, the step would wait 10 s for its first token: the 5 s bound below
      // tells the two apart however loaded the machine.
      timeouts: { firstTokenMs: 10_000 },
    });
    providers.push(provider);
    const started = performance.now();
    const error = await provider.initialize({ timeoutMs: 200 }).catch((e: unknown) => e);
    expect(isOllamaConnectionError(error)).toBe(true);
    expect((error as Error).message).toContain(new URL(server.url).host);
    expect(server.requests.filter((r) => r.path === '/api/tags')).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('says how long it kept trying, naming timeoutMs, when nothing listens', async () => {
    const port = await freePort();
    const provider = createOllamaProvider({ baseUrl: `http://127.0.0.1:${port}` });
    providers.push(provider);
    const error = await provider.initialize({ timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(isOllamaConnectionError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OLLAMA_CONNECTION',
      causeCode: 'ECONNREFUSED',
      origin: `http://127.0.0.1:${port}`,
      message: `Could not reach Ollama at http://127.0.0.1:${port} (ECONNREFUSED): kept trying for 1 s (initialize()'s \`timeoutMs\`). Is Ollama running? Start it with \`ollama serve\`, or set \`baseUrl\` (or OLLAMA_HOST) to where it listens`,
    });
    expect(isOllamaConnectionError((error as Error).cause)).toBe(true);
  });

  it('fails with the connection error only once timeoutMs has (nearly) passed', {
    timeout: 15_000,
  }, async () => {
    const port = await freePort();
    const provider = createOllamaProvider({ baseUrl: `http://127.0.0.1:${port}` });
    providers.push(provider);
    const started = performance.now();
    const error = await provider.initialize({ timeoutMs: 700 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(isOllamaConnectionError(error)).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    // not at the last backoff step (300 ms), and not far past the deadline (5 s: room for a
    // loaded machine's late timers)
    expect(elapsed).toBeGreaterThan(600);
    expect(elapsed).toBeLessThan(5_000);
  });
});
