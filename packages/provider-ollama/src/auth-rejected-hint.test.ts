// A 401 or 403 points at the key the provider sends, against @x/ollama-sim, never showing it.
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { isOllamaApiError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';

const KEY = 'sk-ollama-hint-test-5a7c9e';

const sims: OllamaSim[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

describe('OllamaApiError of a 401 or 403', () => {
  it.each([
    [401, 'unauthorized'],
    [403, `forbidden: key ${KEY} has no access`],
  ])('names apiKey and OLLAMA_API_KEY, never the key, after a %i', async (status, text) => {
    const sim = await startOllamaSim({
      loadTimeMs: 0,
      faults: [{ route: '/api/chat', fault: { kind: 'status', status, error: text } }],
    });
    sims.push(sim);
    const provider = createOllamaProvider({ baseUrl: sim.url, apiKey: KEY });
    providers.push(provider);
    const error = await provider
      .complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: status, retryable: false, endpoint: '/api/chat' });
    const { message, stack } = error as Error;
    expect(message).toMatch(new RegExp(`^Ollama /api/chat answered ${status}: `));
    expect(message).toContain('`apiKey`');
    expect(message).toContain('`OLLAMA_API_KEY`');
    expect(message.includes('OLLAMA_ORIGINS')).toBe(status === 403);
    expect(`${message}${stack}${JSON.stringify(error)}`).not.toContain(KEY);
  });
});
