// Shared test setup against @x/ollama-sim's OpenAI-compatible /v1: a simulator per test and a
// provider on it (no retries, no cache: each call is one request the simulator records), both
// closed after the test.
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach } from 'vitest';
import { createOpenAIProvider, type OpenAIProvider } from '../provider';

const open: Array<OllamaSim | OpenAIProvider> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

/** A simulator and a provider on its `/v1`, on the `ollama` preset. */
export async function simSetup(): Promise<{ sim: OllamaSim; provider: OpenAIProvider }> {
  const sim = await startOllamaSim({ loadTimeMs: 0 });
  const provider = createOpenAIProvider({
    preset: 'ollama',
    baseUrl: `${sim.url}/v1`,
    retry: false,
    cache: false,
  });
  open.push(provider, sim);
  return { sim, provider };
}

/** The chat requests the simulator received. */
export const chatsAt = (sim: OllamaSim) =>
  sim.requests.filter((r) => r.path === '/v1/chat/completions');
