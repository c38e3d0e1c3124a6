// A caller who calls `return()` or `throw()` while a read of a routed stream is pending leaves at
// once: the server below holds every answer until the test lets it go, so a test that passes is
// one where the router let go of the call while the server still held it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOllamaProvider, type OllamaProvider } from '@x/provider-ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeProvider, HI, textChunk } from './__fixtures__/fake-provider';
import { createRouter } from './router';
import type { RouterStats } from './stats';

const line = (content: string, done: boolean) =>
  `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content }, done, ...(done ? { done_reason: 'stop', eval_count: 2, prompt_eval_count: 3 } : {}) })}\n`;

interface HoldingOllama {
  url: string;
  /** Chats that reached the server. */
  chats: () => number;
  /** Chats whose answer the server holds: neither released nor closed by the client. */
  held: () => number;
  /** Chats whose connection the client closed before the answer ended. */
  dropped: () => number;
  /** Every held answer ends now. */
  release: () => void;
}

const servers: http.Server[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.destroy()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

/**
 * An Ollama address whose chats are answered in full while `whole` is set; otherwise held, after
 * the first chunk when `first` is set, until `release()`.
 */
async function holdingOllama(mode: { whole: boolean; first: boolean }): Promise<HoldingOllama> {
  let chats = 0;
  let dropped = 0;
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      chats++;
      if (mode.whole) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(line('Hel', false) + line('lo', true));
        return;
      }
      held.add(res);
      res.on('close', () => {
        if (held.delete(res)) dropped++;
      });
      if (mode.first) {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(line('Hel', false));
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    chats: () => chats,
    held: () => held.size,
    dropped: () => dropped,
    release: () => {
      for (const res of [...held]) {
        held.delete(res);
        if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(mode.first ? line('lo', true) : line('Hel', false) + line('lo', true));
      }
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function ollama(url: string, rateLimit?: object): OllamaProvider {
  const provider = createOllamaProvider({ baseUrl: url, tokens: false, retry: false, rateLimit });
  providers.push(provider);
  return provider;
}

function routerOf(provider: OllamaProvider) {
  return createRouter({
    deployments: [{ id: 'only', group: 'chat', provider, model: 'llama3.2' }],
  });
}

/** Nothing of the call is left: counted as cancelled, no slot nor count kept. */
function expectReleased(router: { stats(): RouterStats }): void {
  expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0, successes: 0 });
  expect(router.stats().deployments.only).toMatchObject({ inFlight: 0, failures: 0 });
}

describe('Router.stream: return() while a read is pending', () => {
  it('leaves a call queued in its provider’s rate limiter: nothing is sent afterwards', async () => {
    const server = await holdingOllama({ whole: true, first: false });
    // One request in the bucket, the next in about a quarter of an hour: the stream's waits.
    const provider = ollama(server.url, {
      requestsPerSecond: 0.001,
      burst: 1,
      timeoutMs: 3_600_000,
    });
    const router = routerOf(provider);
    await provider.complete({ model: 'llama3.2', messages: HI });
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    const pending = iterator.next();
    await until(() => provider.rateLimiter!.stats().queued === 1);
    await expect(iterator.return!()).resolves.toEqual({ done: true, value: undefined });
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(provider.rateLimiter!.stats().queued).toBe(0);
    expectReleased(router);
    await router.close();
    expect(server.chats()).toBe(1);
  });

  it('leaves a call waiting for its first chunk while the server holds it', async () => {
    const server = await holdingOllama({ whole: false, first: false });
    const router = routerOf(ollama(server.url));
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    const pending = iterator.next();
    await until(() => server.held() === 1);
    await expect(iterator.return!()).resolves.toEqual({ done: true, value: undefined });
    // Settled done, not with a chunk that came after the caller left.
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expectReleased(router);
    await router.close();
    // Its request aborted: the connection closed under the held answer.
    await until(() => server.dropped() === 1);
    expect(server.chats()).toBe(1);
  });

  it('leaves a call waiting for its next chunk mid-stream while the server holds it', async () => {
    const server = await holdingOllama({ whole: false, first: true });
    const router = routerOf(ollama(server.url));
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    const pending = iterator.next();
    await expect(iterator.return!()).resolves.toEqual({ done: true, value: undefined });
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expectReleased(router);
    await router.close();
    await until(() => server.dropped() === 1);
  });

  it('lets router.close() resolve while the server holds the first chunk of a call left', async () => {
    const server = await holdingOllama({ whole: false, first: false });
    const router = routerOf(ollama(server.url));
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    const pending = iterator.next();
    await until(() => server.held() === 1);
    const closing = router.close();
    const leaving = iterator.return!();
    // The server never released the answer: close() waited for nothing of it.
    await closing;
    expect(server.chats()).toBe(1);
    await expect(leaving).resolves.toEqual({ done: true, value: undefined });
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expectReleased(router);
  });

  it('throw() mid-stream ends the call at once, then rejects with its error', async () => {
    const server = await holdingOllama({ whole: false, first: true });
    const router = routerOf(ollama(server.url));
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    const mine = new Error('the consumer went away');
    await expect(iterator.throw!(mine)).rejects.toBe(mine);
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expectReleased(router);
    await router.close();
  });

  it('leaves a provider whose stream never settles a read nor its return()', async () => {
    const provider = fakeProvider('stuck');
    let returned = 0;
    provider.stream = () => ({
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<never>(() => {}),
        return: () => {
          returned++;
          return new Promise<never>(() => {});
        },
      }),
    });
    const router = createRouter({
      deployments: [{ id: 'only', group: 'chat', provider, model: 'm' }],
    });
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    const pending = iterator.next();
    await expect(iterator.return!()).resolves.toEqual({ done: true, value: undefined });
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(returned).toBe(1);
    expectReleased(router);
    await router.close();
  });

  it('leaves mid-stream a provider whose next read never settles nor its return()', async () => {
    const provider = fakeProvider('stuck');
    let returned = 0;
    provider.stream = () => {
      let reads = 0;
      return {
        [Symbol.asyncIterator]: () => ({
          next: () =>
            reads++ === 0
              ? Promise.resolve({ done: false, value: textChunk('Hel') })
              : new Promise<never>(() => {}),
          return: () => {
            returned++;
            return new Promise<never>(() => {});
          },
        }),
      };
    };
    const router = createRouter({
      deployments: [{ id: 'only', group: 'chat', provider, model: 'm' }],
    });
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    const pending = iterator.next();
    await expect(iterator.return!()).resolves.toEqual({ done: true, value: undefined });
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(returned).toBe(1);
    expectReleased(router);
    await router.close();
  });
});
