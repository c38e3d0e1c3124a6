import { startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider } from '@x/provider-ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
