import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from '../provider';

/**
 * The setup of the tests that talk to @x/ollama-sim through the public API: a simulator that
 * loads models at once and a provider on it with no retries and no cache, so that each request
 * reaches the simulator once. Call it at the top of a test file: everything it made is closed
 * after each test.
 */
export function simProvider(): () => Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
  const open: Array<OllamaSim | OllamaProvider> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });
  return async () => {
    const sim = await startOllamaSim({ loadTimeMs: 0 });
    const provider = createOllamaProvider({ baseUrl: sim.url, retry: false, cache: false });
    open.push(provider, sim);
    return { sim, provider };
  };
}
