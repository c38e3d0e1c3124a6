import { type OllamaSim, type OllamaSimOptions, startOllamaSim } from '@x/ollama-sim';
import { afterEach } from 'vitest';
import type { OllamaProviderOptions } from '../options';
import { createOllamaProvider, type OllamaProvider } from '../provider';
import { closedAfterEach } from './server';

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

/**
 * `setup(options, simOptions)`: a simulator that loads models at once and a provider on it with
 * the defaults (the cache on) but retries after 1-2 ms, both closed after each test. Call it at
 * the top of a test file.
 */
export function simSetup() {
  const { servers: sims, providers } = closedAfterEach<OllamaSim>();
  async function setup(
    options: OllamaProviderOptions = {},
    simOptions: OllamaSimOptions = {},
  ): Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
    const sim = await startOllamaSim({ loadTimeMs: 0, ...simOptions });
    sims.push(sim);
    const provider = createOllamaProvider({
      baseUrl: sim.url,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      ...options,
    });
    providers.push(provider);
    return { sim, provider };
  }
  return { sims, providers, setup };
}

/** How many chat requests the simulator received. */
export const chatsAt = (sim: OllamaSim) =>
  sim.requests.filter((r) => r.path === '/api/chat').length;
