import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  ask,
  chatChunk,
  chats,
  collect,
  doneChunk,
  fixtureSetup,
  type Handler,
  loadFixture,
  splitFixture,
} from './__fixtures__/server';
import { isIncompleteStreamError, isOllamaStreamError, isOllamaTimeoutError } from './errors';

const { setup } = fixtureSetup();

const chunked =
  (...writes: string[]): Handler =>
  async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const w of writes) {
      res.write(w);
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  };

describe('OllamaProvider.stream', () => {
  it('yields every chunk of fixture 02 and ends with the complete response', async () => {
    const { server, provider } = await setup({ '/api/chat': loadFixture('02-chat-stream.json') });
    const chunks = await collect(provider.stream(ask()));
    const last = chunks.at(-1)!;
    expect(chunks).toHaveLength(14);
    expect(
      chunks
        .slice(0, -1)
        .map((c) => c.content)
        .join(''),
    ).toBe('The sky appears blue because of a phenomenon called Rayleigh scattering.');
    expect(last.done).toBe(true);
    expect(last.response?.content).toBe(
      'The sky appears blue because of a phenomenon called Rayleigh scattering.',
    );
    expect(last.response?.usage).toEqual({
      promptTokens: 31,
      completionTokens: 14,
      totalTokens: 45,
    });
    expect(last.response?.timings.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(chats(server)[0]!.json?.stream).toBe(true);
    expect(chats(server)[0]!.headers.accept).toBe('application/x-ndjson');
  });

  it('folds generate-style chunks (fixture 03, `response` field) into the answer', async () => {
    const { provider } = await setup({ '/api/chat': loadFixture('03-generate-stream.json') });
    const chunks = await collect(provider.stream(ask()));
    const response = chunks.at(-1)!.response!;
    expect(
      response.content.startsWith('Waves caress the shore\nSalty whispers of the deep\n'),
    ).toBe(true);
    expect(
      chunks
        .slice(0, -1)
        .map((c) => c.content)
        .join(''),
    ).toBe(response.content);
    expect(response.finishReason).toBe('stop');
    expect(response.usage.completionTokens).toBeGreaterThan(0);
  });

  it('streams thinking separately from the answer and keeps both in the response', async () => {
    const thinkingChunk = (text: string) =>
      `${JSON.stringify({ model: 'qwen3:4b', message: { role: 'assistant', content: '', thinking: text }, done: false })}\n`;
    const { provider } = await setup({
      '/api/chat': chunked(
        thinkingChunk('Let me see. '),
        thinkingChunk('Blue light scatters.'),
        chatChunk('Rayleigh'),
        doneChunk(),
      ),
    });
    const chunks = await collect(
      provider.stream(ask('Why blue?', { model: 'qwen3:4b', think: true })),
    );
    expect(chunks.map((c) => c.thinking ?? '').join('')).toBe('Let me see. Blue light scatters.');
    const response = chunks.at(-1)!.response!;
    expect(response.thinking).toBe('Let me see. Blue light scatters.');
    expect(response.content).toBe('Rayleigh');
    expect(response.message).toEqual({
      role: 'assistant',
      content: 'Rayleigh',
      thinking: 'Let me see. Blue light scatters.',
    });
  });

  it('decodes characters split across writes inside their UTF-8 bytes', async () => {
    const text = 'héllo — 你好 🌍';
    const fixture = loadFixture('02-chat-stream.json');
    const body = chatChunk(text) + chatChunk(' ✓') + doneChunk();
    const bytes = Buffer.from(body, 'utf8');
    const emoji = bytes.indexOf(Buffer.from('🌍', 'utf8'));
    const cjk = bytes.indexOf(Buffer.from('你', 'utf8'));
    const split = splitFixture({ ...fixture, response: { ...fixture.response, body } }, [
      emoji + 1,
      emoji + 3,
      cjk + 2,
      5,
    ]);
    expect(split.response.writes_base64!.length).toBe(5);
    const { provider } = await setup({ '/api/chat': split });
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.at(-1)!.response!.content).toBe(`${text} ✓`);
  });

  it('throws OllamaStreamError with the partial content on an error line, without retrying', async () => {
    const { server, provider } = await setup({
      '/api/chat': chunked(
        chatChunk('Hello'),
        chatChunk(' there'),
        '{"error":"an error was encountered while running the model: boom"}\n',
      ),
    });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of provider.stream(ask())) seen.push(chunk.content);
    })().catch((e) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect(error.reason).toBe('server-error');
    expect(error.serverMessage).toMatch(/boom/);
    expect(error.partial).toMatchObject({ content: 'Hello there', chunks: 2 });
    expect(seen).toEqual(['Hello', ' there']);
    expect(chats(server)).toHaveLength(1);
  });

  it('throws IncompleteStreamError with the partial content when the stream ends without done', async () => {
    const { server, provider } = await setup({
      '/api/chat': chunked(chatChunk('Half'), chatChunk(' an answer')),
    });
    const error = await collect(provider.stream(ask())).catch((e) => e);
    expect(isIncompleteStreamError(error)).toBe(true);
    expect(error.partial).toMatchObject({ content: 'Half an answer', chunks: 2 });
    expect(chats(server)).toHaveLength(1);
  });

  it('throws IncompleteStreamError and never retries when the connection drops after a chunk', async () => {
    const { server, provider } = await setup({
      '/api/chat': async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(chatChunk('partial'));
        await new Promise((r) => setTimeout(r, 5));
        res.socket?.destroy();
      },
    });
    const error = await collect(provider.stream(ask())).catch((e) => e);
    expect(isIncompleteStreamError(error)).toBe(true);
    expect(error.partial.content).toBe('partial');
    expect(chats(server)).toHaveLength(1);
  });

  it('throws an idle OllamaTimeoutError with the partial content when the server stalls', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup(
      {
        '/api/chat': (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.write(chatChunk('first'));
        },
      },
      { timeouts: { idleMs: 5_000 } },
    );
    const seen: string[] = [];
    const pending = (async () => {
      for await (const chunk of provider.stream(ask())) seen.push(chunk.content);
    })().catch((e) => e);
    await until(() => seen.length === 1);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(seen).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(1_500);
    const error = await pending;
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'idle', timeoutMs: 5_000, retryable: false });
    expect(error.partial.content).toBe('first');
    await until(() => server.aborted() === 1);
    expect(chats(server)).toHaveLength(1);
  });

  it('does not count time the caller spends on a chunk as server silence', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { provider } = await setup(
      { '/api/chat': chunked(chatChunk('slow'), chatChunk(' reader'), doneChunk()) },
      { timeouts: { idleMs: 1_000 } },
    );
    const seen: string[] = [];
    for await (const chunk of provider.stream(ask())) {
      seen.push(chunk.content);
      // The caller holds the chunk for 5 s of (fake) time before asking for the next.
      if (!chunk.done) await vi.advanceTimersByTimeAsync(5_000);
    }
    expect(seen.join('')).toBe('slow reader');
  });

  it('retries a first-token timeout because nothing reached the caller yet', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup(
      {
        '/api/chat': [() => {}, loadFixture('02-chat-stream.json')],
      },
      { timeouts: { firstTokenMs: 10_000 } },
    );
    const pending = collect(provider.stream(ask()));
    await until(() => chats(server).length === 1);
    await vi.advanceTimersByTimeAsync(10_000);
    await until(() => chats(server).length === 2);
    const chunks = await pending;
    expect(chunks.at(-1)!.response!.attempts).toBe(2);
    expect(provider.stats().retries).toBe(1);
  });

  it('aborts the request and frees the socket when the caller leaves the loop early', async () => {
    const { server, provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(chatChunk('one'));
        res.write(chatChunk('two'));
      },
    });
    for await (const chunk of provider.stream(ask())) {
      expect(chunk.content).toBe('one');
      break;
    }
    await until(() => server.aborted() === 1);
    expect(provider.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
  });

  it('rejects with the signal reason when aborted mid-stream', async () => {
    const { server, provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(chatChunk('one'));
      },
    });
    const controller = new AbortController();
    const reason = new Error('stop now');
    const error = await (async () => {
      for await (const _chunk of provider.stream(ask('x', { signal: controller.signal })))
        controller.abort(reason);
    })().catch((e) => e);
    expect(error).toBe(reason);
    await until(() => server.aborted() === 1);
    expect(provider.stats().inFlight).toBe(0);
  });

  it('yields nothing more after an abort, even chunks that arrived in the same read', async () => {
    const { server, provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        // Five chunks in one write: they reach the provider in one read.
        res.write(['a', 'b', 'c', 'd', 'e'].map((c) => chatChunk(c)).join(''));
      },
    });
    const controller = new AbortController();
    const reason = new Error('stop now');
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of provider.stream(ask('x', { signal: controller.signal }))) {
        seen.push(chunk.content);
        controller.abort(reason);
      }
    })().catch((e) => e);
    expect(error).toBe(reason);
    expect(seen).toEqual(['a']);
    await until(() => server.aborted() === 1);
    expect(provider.stats().inFlight).toBe(0);
  });

  it('throws OllamaStreamError line-too-long instead of buffering an endless line', async () => {
    const { provider } = await setup(
      { '/api/chat': chunked('x'.repeat(4096), 'y'.repeat(4096)) },
      { maxLineBytes: 4096 },
    );
    const error = await collect(provider.stream(ask())).catch((e) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect(error.reason).toBe('line-too-long');
  });
});
