import type { ServerResponse } from 'node:http';
import { type Handler, startRouteServer } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { closedAfterEach } from './__fixtures__/server';
import { isIncompleteStreamError, isOllamaTimeoutError } from './errors';
import { createOllamaProvider } from './provider';
import type { ChatRequest } from './types';

const { servers, providers } = closedAfterEach<{ close(): Promise<unknown> }>();

const ask: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const line = (message: Record<string, unknown>, done = false) =>
  `${JSON.stringify({ model: 'm', created_at: 't', message: { role: 'assistant', ...message }, done })}\n`;

/** Writes `first`, then `next(i)` every 20 ms until it returns undefined (then ends) or forever. */
function paced(first: string[], next: (i: number) => string | undefined): Handler {
  return (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const text of first) res.write(text);
    let i = 0;
    const timer = setInterval(() => {
      const text = next(i++);
      if (text === undefined) {
        clearInterval(timer);
        res.end();
      } else res.write(text);
    }, 20);
    res.on('close', () => clearInterval(timer));
  };
}

async function against(handler: Handler) {
  const server = await startRouteServer({ '/api/chat': handler });
  servers.push(server);
  const provider = createOllamaProvider({
    baseUrl: server.url,
    tokens: false,
    retry: false,
    timeouts: { firstTokenMs: 400, idleMs: 200 },
  });
  providers.push(provider);
  return provider;
}

describe('timeouts.idleMs against chunks that carry nothing (real clock: the server paces lines)', () => {
  it('ends stream() with an idle timeout keeping the text when empty chunks follow it forever', async () => {
    const provider = await against(
      paced([line({ content: 'Hello' })], () => line({ content: '' })),
    );
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of provider.stream(ask)) seen.push(chunk.content);
    })().catch((e: unknown) => e);
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'idle', timeoutMs: 200, partial: { content: 'Hello' } });
    // the empty lines that followed were no chunks either
    expect(seen).toEqual(['Hello']);
  }, 10_000);

  it('ends complete() with a first-token timeout when only empty chunks ever come', async () => {
    const provider = await against(paced([], () => line({ content: '' })));
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 400 });
  }, 10_000);

  it('keeps a thinking model going: thinking chunks for longer than idleMs are progress', async () => {
    const provider = await against(
      paced([line({ content: '' })], (i) =>
        i < 20
          ? line({ content: '', thinking: 'hmm ' })
          : i === 20
            ? line({ content: 'ok' }, true)
            : undefined,
      ),
    );
    const answer = await provider.complete(ask);
    expect(answer.content).toBe('ok');
    expect(answer.thinking).toBe('hmm '.repeat(20));
  }, 10_000);
});

describe('stream() chunks', () => {
  it('hands on only chunks that carry something: empty deltas and an empty final line are left out', async () => {
    const lines = [
      line({ content: '' }),
      line({ content: 'Hel' }),
      line({ content: '' }),
      line({ content: '', thinking: 'hmm' }),
      line({ content: 'lo' }),
      line({ content: '' }, true),
    ];
    const provider = await against(paced(lines, () => undefined));
    const chunks: { content: string; thinking: string | undefined; done: boolean }[] = [];
    for await (const chunk of provider.stream(ask)) {
      chunks.push({ content: chunk.content, thinking: chunk.thinking, done: chunk.done });
    }
    // then the one closing chunk every stream ends with (done, carrying the response)
    expect(chunks).toEqual([
      { content: 'Hel', thinking: undefined, done: false },
      { content: '', thinking: 'hmm', done: false },
      { content: 'lo', thinking: undefined, done: false },
      { content: '', thinking: undefined, done: true },
    ]);
    const answer = await provider.complete(ask);
    expect(answer).toMatchObject({ content: 'Hello', thinking: 'hmm' });
  }, 10_000);

  it('times the first token from the first line that brings one, not from an empty delta', async () => {
    // an empty line at once, empty lines every 20 ms, then the first text after ~100 ms
    const provider = await against(
      paced([line({ content: '' })], (i) =>
        i < 4 ? line({ content: '' }) : i === 4 ? line({ content: 'Hi' }, true) : undefined,
      ),
    );
    let last: Awaited<ReturnType<typeof provider.complete>> | undefined;
    for await (const chunk of provider.stream(ask)) last = chunk.response ?? last;
    expect(last?.content).toBe('Hi');
    expect(last?.timings.firstTokenMs).toBeGreaterThanOrEqual(80);
  }, 10_000);
});

describe('progress streams (pull, push, create) against a hostile server', () => {
  const progressLine = '{"status":"pulling abc","digest":"abc","total":100,"completed":5}\n';

  async function progressServer(routes: Record<string, Handler>) {
    const server = await startRouteServer(routes);
    servers.push(server);
    const provider = createOllamaProvider({
      baseUrl: server.url,
      retry: false,
      timeouts: { firstTokenMs: 400, idleMs: 200 },
    });
    providers.push(provider);
    return provider;
  }

  const statuses = async (events: AsyncIterable<{ status: string }>) => {
    const seen: string[] = [];
    for await (const event of events) seen.push(event.status);
    return seen;
  };

  it('ends a transfer whose body stops before its success line as incomplete, not as done', async () => {
    const provider = await progressServer({
      '/api/pull': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(`{"status":"pulling manifest"}\n${progressLine}`);
      },
    });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of provider.pull({ model: 'm' })) seen.push(event.status);
    })().catch((e: unknown) => e);
    expect(isIncompleteStreamError(error)).toBe(true);
    expect(seen).toEqual(['pulling manifest', 'pulling abc']);
  });

  it('keeps a transfer whose line repeats unchanged past idleMs, as Ollama repeats it while it retries', async () => {
    const provider = await progressServer({
      // the same line every 20 ms for 0.6 s (3 idle deadlines), then moving on to success
      '/api/create': paced([progressLine], (i) =>
        i < 30 ? progressLine : i === 30 ? '{"status":"success"}\n' : undefined,
      ),
    });
    const seen = await statuses(provider.create({ model: 'm', from: 'x' }));
    expect(seen.at(-1)).toBe('success');
  }, 10_000);

  it('keeps a transfer whose progress moves on, and ends it at its success line', async () => {
    const provider = await progressServer({
      '/api/push': paced([], (i) =>
        i < 20
          ? `{"status":"pushing abc","digest":"abc","total":100,"completed":${i * 5}}\n`
          : i === 20
            ? '{"status":"success"}\n'
            : undefined,
      ),
    });
    const seen = await statuses(provider.push({ model: 'm' }));
    expect(seen.at(-1)).toBe('success');
    expect(seen).toHaveLength(21);
  }, 10_000);
});
