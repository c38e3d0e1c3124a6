import { type OllamaSim, type OllamaSimOptions, startOllamaSim } from '@x/ollama-sim';

export const MODEL = 'llama3.2';

/** The simulator for benchmarks: answers at once (no generation delay) unless told otherwise. */
export function startBenchSim(options: OllamaSimOptions = {}): Promise<OllamaSim> {
  return startOllamaSim({
    numParallel: 256,
    maxQueue: 4096,
    maxLogEntries: 0,
    responseTokens: { min: 16, max: 16 },
    ...options,
  });
}

/** A short chat request body, the same for every client compared. */
export function chatMessages(i = 0) {
  return [
    { role: 'system' as const, content: 'You are a concise assistant.' },
    { role: 'user' as const, content: `Say hello to user number ${i}.` },
  ];
}

/**
 * Rate limiting on but never reached: the pipeline keeps its limiter (and pays for it) without
 * the default ollama preset (10 requests/s) capping a benchmark.
 */
export const unlimitedRate = { requestsPerSecond: 1e9, burst: 1e9 } as const;
