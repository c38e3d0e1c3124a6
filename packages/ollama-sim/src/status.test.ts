import { afterEach, describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { type OllamaSim, startOllamaSim } from './sim';

// GET /api/status: Ollama's StatusHandler (server/routes.go), api.StatusResponse in api/types.go.

let sim: OllamaSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('GET /api/status', () => {
  it('answers that cloud features are not disabled, as a server without OLLAMA_NO_CLOUD does', async () => {
    sim = await startOllamaSim();
    const res = await send(sim.url, '/api/status');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.text).toBe('{"cloud":{"disabled":false,"source":"none"}}');
  });

  it('answers 405 to HEAD, since gin registers only GET for it', async () => {
    sim = await startOllamaSim();
    const res = await send(sim.url, '/api/status', { method: 'HEAD' });
    expect(res.status).toBe(405);
  });
});
