import type { Scenario, Suite } from './context';

export interface Entry<T> {
  name: string;
  kind: 'micro' | 'load';
  summary: string;
  /** Loaded lazily, so a package that is not built only skips its own entry. */
  load: () => Promise<T>;
}

export const suites: Entry<Suite>[] = [
  {
    name: 'breaker',
    kind: 'micro',
    summary: '@x/breaker against opossum and cockatiel: closed path, open path (rejection)',
    load: async () => (await import('./suites/breaker')).breakerSuite,
  },
  {
    name: 'pool',
    kind: 'micro',
    summary:
      '@x/pool against raw undici Pool, undici fetch, global fetch and axios at several concurrencies',
    load: async () => (await import('./suites/pool')).poolSuite,
  },
  {
    name: 'tokens',
    kind: 'micro',
    summary: '@x/tokens against js-tiktoken, gpt-tokenizer and tiktoken (WASM) on a mixed corpus',
    load: async () => (await import('./suites/tokens')).tokensSuite,
  },
  {
    name: 'rate-limit',
    kind: 'micro',
    summary:
      '@x/rate-limit against limiter, rate-limiter-flexible (memory and Redis) and bottleneck',
    load: async () => (await import('./suites/rate-limit')).rateLimitSuite,
  },
  {
    name: 'cache',
    kind: 'micro',
    summary: '@x/cache against quick-lru and lru-cache; request keys against stringify + sha256',
    load: async () => (await import('./suites/cache')).cacheSuite,
  },
  {
    name: 'provider-ollama',
    kind: 'micro',
    summary: '@x/provider-ollama complete() against raw undici and ollama-js, on @x/ollama-sim',
    load: async () => (await import('./suites/provider')).providerSuite,
  },
  {
    name: 'provider-openai',
    kind: 'micro',
    summary:
      "@x/provider-openai complete() against raw undici and the openai client, on @x/ollama-sim's /v1",
    load: async () => (await import('./suites/provider-openai')).providerOpenAISuite,
  },
  {
    name: 'ollama-sim',
    kind: 'micro',
    summary: '@x/ollama-sim requests/s against a bare node:http server answering fixture bytes',
    load: async () => (await import('./suites/ollama-sim')).ollamaSimSuite,
  },
  {
    name: 'install-size',
    kind: 'micro',
    summary: 'npm install size of @x/provider-ollama, @x/provider-openai, @x/tokens and ollama-js',
    load: async () => (await import('./suites/install-size')).installSizeSuite,
  },
];

export const scenarios: Entry<Scenario>[] = [
  {
    name: 'steady',
    kind: 'load',
    summary:
      'steady load with a fault mix: p50/p95/p99, throughput, error rate (provider and ollama-js)',
    load: async () => (await import('./scenarios/steady')).steadyScenario,
  },
  {
    name: 'stress',
    kind: 'load',
    summary: 'stress ramp: throughput and latency as concurrency doubles, to the saturation point',
    load: async () => (await import('./scenarios/stress')).stressScenario,
  },
  {
    name: 'outage',
    kind: 'load',
    summary: 'outage: breaker state over time, rejected against passed, time to recover',
    load: async () => (await import('./scenarios/outage')).outageScenario,
  },
  {
    name: 'cache-hits',
    kind: 'load',
    summary:
      'cache effectiveness: hit rate and latency of hits against misses, Zipf-repeated prompts',
    load: async () => (await import('./scenarios/cache')).cacheScenario,
  },
  {
    name: 'rate-compliance',
    kind: 'load',
    summary: 'rate-limit compliance: arrivals at the server against the configured rate',
    load: async () => (await import('./scenarios/rate-limit')).rateLimitScenario,
  },
  {
    name: 'router',
    kind: 'load',
    summary:
      'availability: success rate and added latency of the router over two deployments, one down for a third of the run',
    load: async () => (await import('./scenarios/router')).routerScenario,
  },
  {
    name: 'reuse',
    kind: 'load',
    summary: 'connection reuse: setup time saved by @x/pool against a new connection per request',
    load: async () => (await import('./scenarios/reuse')).reuseScenario,
  },
];

/** Entries chosen by --only / --skip (names or kinds). */
export function select<T>(entries: Entry<T>[], only: string[], skip: string[]): Entry<T>[] {
  const match = (e: Entry<T>, names: string[]) => names.includes(e.name) || names.includes(e.kind);
  return entries.filter((e) => (only.length === 0 || match(e, only)) && !match(e, skip));
}

/** Names given to --only/--skip that match nothing (a typo should not silently run nothing). */
export function unknownNames(names: string[]): string[] {
  const known = new Set<string>([
    'micro',
    'load',
    ...suites.map((s) => s.name),
    ...scenarios.map((s) => s.name),
  ]);
  return names.filter((n) => !known.has(n));
}
