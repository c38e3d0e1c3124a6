import { startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider } from '@x/provider-ollama';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from './fastify-route.ts';

// Real clock: a real simulator on 127.0.0.1 port 0 answers the route's calls.
describe('buildApp (Fastify route example)', () => {
  let sim: Awaited<ReturnType<typeof startOllamaSim>>;
  let app: ReturnType<typeof buildApp>;
  beforeAll(async () => {
    sim = await startOllamaSim({ host: '127.0.0.1', port: 0 });
    app = buildApp(createOllamaProvider({ baseUrl: sim.url, retry: { retries: 0 } }));
  });
  afterAll(async () => {
    await app.close();
    await sim.close();
  });

  it('answers the question with the model and serves the same question from the cache when asked twice', async () => {
    const ask = () =>
      app.inject({ method: 'POST', url: '/ask', payload: { question: 'Why is the sky blue?' } });
    const first = await ask();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ cached: false });
    expect(first.json().answer.length).toBeGreaterThan(0);
    expect((await ask()).json()).toMatchObject({ cached: true, answer: first.json().answer });
  });

  it('answers 503 with the error code when the server is overloaded', async () => {
    sim.setFaults([{ route: '/api/chat', fault: { kind: 'status', status: 503 } }]);
    const res = await app.inject({ method: 'POST', url: '/ask', payload: { question: 'Hi?' } });
    sim.setFaults([]);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: 'X_PROVIDER_OLLAMA_SERVER_BUSY' });
  });

  it('answers 400 before calling the model when the question is missing', async () => {
    const res = await app.inject({ method: 'POST', url: '/ask', payload: {} });
    expect(res.statusCode).toBe(400);
  });
});

// `inject` has no socket: over a real one, Node closes the request once its body is read, and a
// route that aborted on that would fail every call.
describe('buildApp over a real socket', () => {
  let sim: Awaited<ReturnType<typeof startOllamaSim>>;
  let app: ReturnType<typeof buildApp>;
  let provider: ReturnType<typeof createOllamaProvider>;
  let url: string;
  beforeAll(async () => {
    // 20 tokens/s and 40 tokens: an answer takes about 2 s, time for a client to hang up.
    sim = await startOllamaSim({
      host: '127.0.0.1',
      port: 0,
      tokensPerSecond: 20,
      responseTokens: { min: 40, max: 40 },
    });
    provider = createOllamaProvider({ baseUrl: sim.url, retry: { retries: 0 }, cache: false });
    app = buildApp(provider);
    url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/ask`;
  });
  afterAll(async () => {
    await app.close();
    await sim.close();
  });

  const post = (question: string, signal?: AbortSignal) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question }),
      ...(signal ? { signal } : {}),
    });

  it('answers 200 with the model answer', async () => {
    const res = await post('Why is the sky blue?');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { answer: string }).answer.length).toBeGreaterThan(0);
  }, 15_000);

  it('aborts the model call when the client hangs up mid-answer', async () => {
    const before = sim.stats().aborted;
    const hangUp = new AbortController();
    const pending = post('Tell me a long story.', hangUp.signal).catch((e: unknown) => e);
    // hang up once the model is generating
    await vi.waitFor(() => expect(sim.stats()).toMatchObject({ active: 1 }), { timeout: 5_000 });
    hangUp.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    // the provider hung up on the model server in turn: the simulator saw its request aborted
    await vi.waitFor(() => expect(sim.stats()).toMatchObject({ aborted: before + 1, active: 0 }), {
      timeout: 5_000,
    });
  }, 15_000);
});
