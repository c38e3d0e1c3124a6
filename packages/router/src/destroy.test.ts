// Real clock, real sockets, real providers: a call to a server that never answers would wait for
// the provider's first-token deadline (300 s by default) unless destroy() ends it, so a test that
// passes within the test timeout is one where destroy() did.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOllamaProvider, type OllamaProvider } from '@x/provider-ollama';
import Redis from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { fakeProvider, HI } from './__fixtures__/fake-provider';
import { RouterClosedError } from './errors';
import { createRedisRouterState } from './redis';
import { createRouter } from './router';

const servers: http.Server[] = [];
const providers: OllamaProvider[] = [];
/** Routers and Redis clients of a test, ended after it (last first). */
const ends: Array<() => unknown> = [];

afterEach(async () => {
  for (const end of ends.splice(0).reverse()) await end();
  await Promise.all(providers.splice(0).map((p) => p.destroy()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

/** An Ollama address that accepts every request and never answers it; counts the requests. */
async function silentOllama(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = http.createServer((req) => {
    requests++;
    req.resume();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
  };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function ollama(url: string): OllamaProvider {
  const provider = createOllamaProvider({ baseUrl: url, tokens: false, retry: false });
  providers.push(provider);
  return provider;
}

/** An Ollama address that streams one chunk of every chat and holds the answer open. */
async function oneChunkOllama(): Promise<{ url: string }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(
      `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: 'Hel' }, done: false })}\n`,
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** An Ollama address that answers every chat in full, as two chunks. */
async function wholeOllama(): Promise<{ url: string }> {
  const line = (content: string, done: boolean) =>
    `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content }, done, ...(done ? { done_reason: 'stop', eval_count: 2, prompt_eval_count: 3 } : {}) })}\n`;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(line('Hel', false) + line('lo', true));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('a routed stream whose caller holds a chunk', () => {
  it('ends normally when the caller held the last chunk past consumerMs', async () => {
    const server = await wholeOllama();
    const provider = ollama(server.url);
    const router = createRouter({
      deployments: [{ id: 'only', group: 'chat', provider, model: 'llama3.2' }],
      consumerMs: 30,
    });
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    let last = await iterator.next();
    while (!last.done && !last.value.done) last = await iterator.next();
    await until(() => router.stats().inFlight === 0);
    await expect(iterator.next()).resolves.toMatchObject({ done: true });
    expect(router.stats()).toMatchObject({ successes: 1, cancelled: 0, failures: 0 });
  });

  it("lets go at once when the caller's signal aborts while it holds a chunk", async () => {
    const server = await oneChunkOllama();
    const provider = ollama(server.url);
    const router = createRouter({
      deployments: [{ id: 'only', group: 'chat', provider, model: 'llama3.2' }],
    });
    const caller = new AbortController();
    const iterator = router
      .stream({ model: 'chat', messages: HI, signal: caller.signal })
      [Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    caller.abort();
    expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 1 });
    expect(router.stats().deployments.only).toMatchObject({ inFlight: 0 });
    await router.close();
    await expect(iterator.next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("counts its provider's consumer timeout as cancelled, not against the deployment", async () => {
    const server = await oneChunkOllama();
    const provider = createOllamaProvider({
      baseUrl: server.url,
      tokens: false,
      retry: false,
      timeouts: { consumerMs: 30 },
    });
    providers.push(provider);
    const router = createRouter({
      deployments: [{ id: 'only', group: 'chat', provider, model: 'llama3.2' }],
    });
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    await iterator.next();
    await until(() => provider.stats().inFlight === 0);
    await expect(iterator.next()).rejects.toMatchObject({ timeout: 'consumer' });
    expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
    expect(router.stats().deployments.only).toMatchObject({ failures: 0 });
  });

  it('is let go of after consumerMs: counts given back, close() resolves, a later read says why', async () => {
    const server = await oneChunkOllama();
    const provider = ollama(server.url);
    const router = createRouter({
      deployments: [{ id: 'only', group: 'chat', provider, model: 'llama3.2' }],
      consumerMs: 50,
    });
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    // dropped: the caller never asks for more, nor returns
    expect(router.stats()).toMatchObject({ inFlight: 1 });
    await until(() => router.stats().inFlight === 0);
    expect(router.stats().deployments.only).toMatchObject({ inFlight: 0 });
    expect(router.stats()).toMatchObject({ cancelled: 1 });
    await until(() => provider.stats().inFlight === 0);
    await router.close();
    await expect(iterator.next()).rejects.toMatchObject({
      name: 'ProviderTimeoutError',
      timeout: 'consumer',
      timeoutMs: 50,
    });
  });

  it('ends at once when destroy() (closeProviders) ends its provider', async () => {
    const server = await oneChunkOllama();
    const provider = ollama(server.url);
    const router = createRouter({
      deployments: [{ id: 'only', group: 'chat', provider, model: 'llama3.2' }],
      closeProviders: true,
    });
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    await router.destroy();
    expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 1 });
    expect(provider.stats()).toMatchObject({ inFlight: 0 });
    await expect(iterator.next()).rejects.toBeInstanceOf(RouterClosedError);
  });

  it('refuses a consumerMs that is no duration, naming it', () => {
    expect(() =>
      createRouter({
        deployments: [{ id: 'only', group: 'chat', provider: fakeProvider('only'), model: 'm' }],
        consumerMs: -1,
      }),
    ).toThrow(/consumerMs/);
  });
});

describe('destroy()', () => {
  it('with closeProviders: true, destroys the providers, which ends the calls in flight at once', async () => {
    const server = await silentOllama();
    const first = ollama(server.url);
    const second = ollama(server.url);
    const router = createRouter({
      deployments: [
        { id: 'first', group: 'chat', provider: first, model: 'llama3.2', priority: 0 },
        { id: 'second', group: 'chat', provider: second, model: 'llama3.2', priority: 1 },
      ],
      closeProviders: true,
    });
    const pending = router.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e);
    const closing = router.close(); // graceful: it would wait for the answer that never comes
    await until(() => server.requests() === 1);
    await router.destroy();
    await closing;
    const error = await pending;
    expect(error).toBeInstanceOf(RouterClosedError);
    // No other deployment was tried after the first one was destroyed under the call.
    expect(server.requests()).toBe(1);
    expect(router.stats().inFlight).toBe(0);
    await expect(
      second.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] }),
    ).rejects.toMatchObject({ kind: 'closed' });
    // Idempotent: the same promise, and close() afterwards too.
    expect(router.destroy()).toBe(router.destroy());
    await expect(router.close()).resolves.toBeUndefined();
  });

  it("says nothing of a deployment's health: the calls it ends are cancelled, and no instance cools it", async () => {
    const silent = await silentOllama();
    const chunked = await oneChunkOllama();
    const prefix = `test:${randomUUID()}:`;
    const redis = () => {
      const client = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
      ends.push(() => client.disconnect());
      return client;
    };
    const deployments = (a: OllamaProvider, s: OllamaProvider) => [
      { id: 'a', group: 'chat', provider: a, model: 'llama3.2' },
      { id: 's', group: 'stream', provider: s, model: 'llama3.2' },
    ];
    const one = createRouter({
      deployments: deployments(ollama(silent.url), ollama(chunked.url)),
      state: createRedisRouterState({ client: redis(), prefix }),
      closeProviders: true,
    });
    const two = createRouter({
      deployments: deployments(ollama(silent.url), ollama(chunked.url)),
      state: createRedisRouterState({ client: redis(), prefix }),
    });
    ends.push(() => two.close());
    const heard: unknown[] = [];
    two.onCooldown((e) => heard.push(e));
    const told: unknown[] = [];
    one.onCooldown((e) => told.push(e));
    one.onError((e) => told.push(e));
    await until(() => (two.stats().state as { syncs: number }).syncs === 1);

    const calls = [1, 2, 3].map(() =>
      one.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e),
    );
    const stream = one.stream({ model: 'stream', messages: HI })[Symbol.asyncIterator]();
    await expect(stream.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    // The caller waits for the next chunk (it holds none) when destroy() comes.
    const next = stream.next().catch((e: unknown) => e);
    await until(() => silent.requests() === 3);
    await one.destroy();

    for (const error of [...(await Promise.all(calls)), await next]) {
      expect(error).toBeInstanceOf(RouterClosedError);
    }
    expect(one.stats()).toMatchObject({
      requests: 4,
      failures: 0,
      failuresByCode: {},
      cancelled: 4,
      inFlight: 0,
      cooldowns: { local: 0, shared: 0 },
    });
    for (const id of ['a', 's']) {
      expect(one.stats().deployments[id]).toMatchObject({ status: 'healthy', failures: 0 });
    }
    expect(told).toEqual([]);
    // Nothing was published: the other instance keeps both deployments in rotation.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await redis().exists(`${prefix}cooldown:a`, `${prefix}cooldown:s`)).toBe(0);
    expect(heard).toEqual([]);
    expect(two.stats().deployments.a).toMatchObject({ status: 'healthy' });
  });

  it('closes a provider that has no destroy(), and reports the first failure after every step ran', async () => {
    const plain = fakeProvider('plain');
    const broken = fakeProvider('broken');
    const failure = new Error('close failed');
    broken.close = () => Promise.reject(failure);
    const router = createRouter({
      deployments: [
        { id: 'plain', group: 'g', provider: plain, model: 'a' },
        { id: 'broken', group: 'g', provider: broken, model: 'b' },
      ],
      closeProviders: true,
    });
    await expect(router.destroy()).rejects.toBe(failure);
    expect(plain.closed).toBe(true);
  });

  it('without closeProviders, leaves the providers open', async () => {
    const plain = fakeProvider('plain');
    const router = createRouter({
      deployments: [{ id: 'plain', group: 'g', provider: plain, model: 'a' }],
    });
    await router.destroy();
    expect(router.closed).toBe(true);
    expect(plain.closed).toBe(false);
    await expect(router.complete({ model: 'g', messages: HI })).rejects.toBeInstanceOf(
      RouterClosedError,
    );
  });
});
