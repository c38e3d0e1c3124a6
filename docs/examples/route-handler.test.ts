import { startOllamaSim } from '@x/ollama-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Real clock: a real simulator on 127.0.0.1 port 0; the handler reads OLLAMA_HOST at import.
describe('POST (route handler example)', () => {
  let sim: Awaited<ReturnType<typeof startOllamaSim>>;
  let handler: typeof import('./route-handler.ts');
  beforeAll(async () => {
    sim = await startOllamaSim({ host: '127.0.0.1', port: 0, tokensPerSecond: 200 });
    process.env.OLLAMA_HOST = sim.url;
    handler = await import('./route-handler.ts');
  });
  afterAll(async () => {
    await handler.close();
    await sim.close();
  });

  const post = (body: unknown, signal?: AbortSignal) =>
    handler.POST(
      new Request('http://localhost/api/chat', {
        method: 'POST',
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      }),
    );

  it('streams the answer as text in several chunks when the prompt is valid', async () => {
    const res = await post({ prompt: 'Count to 5' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const parts: string[] = [];
    for await (const part of res.body!.pipeThrough(new TextDecoderStream())) parts.push(part);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('').length).toBeGreaterThan(0);
  });

  it('answers 502 with the error code before streaming when the server refuses the request', async () => {
    sim.setFaults([
      { route: '/api/chat', fault: { kind: 'status', status: 400, error: 'invalid options' } },
    ]);
    const res = await post({ prompt: 'Hi' });
    sim.setFaults([]);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'X_PROVIDER_OLLAMA_API' });
  });

  it('answers 400 without calling the model when the prompt is missing', async () => {
    const res = await post({});
    expect(res.status).toBe(400);
  });

  it('stops reading from the model when the browser cancels the body', async () => {
    const res = await post({ prompt: 'Write a long story' });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    // The stream was returned: a new request still works (no slot or socket was leaked).
    const again = await post({ prompt: 'Hi' });
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });
});
