/**
 * `pnpm demo`: every feature of the @x packages, working, with real output. Runs against an
 * embedded @x/ollama-sim by default, and against a real Ollama when OLLAMA_HOST is set.
 * `pnpm demo --serve`: the live dashboard instead (`src/dashboard/`).
 */
import { createCache } from '@x/cache';
import { createOllamaProvider } from '@x/provider-ollama';
import { serve } from './dashboard/serve';
import { bold, createOut, dim, errorLine, type Out, red } from './output';
import { cacheStep } from './steps/cache';
import { configMistakesStep } from './steps/config-mistakes';
import { createStep } from './steps/create';
import { fallbackStep } from './steps/fallback';
import { healthStep } from './steps/health';
import { openaiStep } from './steps/openai';
import { outageStep } from './steps/outage';
import { overflowStep } from './steps/overflow';
import { poolStep } from './steps/pool';
import { pullStep } from './steps/pull';
import { rateLimitStep } from './steps/rate-limit';
import { shareStep } from './steps/share';
import { streamStep } from './steps/stream';
import { tokensStep } from './steps/tokens';
import { openTarget, type Target } from './target';

interface Step {
  title: string;
  run(out: Out, target: Target): Promise<void>;
}

export async function main(): Promise<number> {
  // The libraries unref their timers (a rate-limit wait, a breaker's open period) so they never
  // keep a process alive on their own. Against a remote Ollama nothing else holds the event loop
  // while the demo awaits such a wait, so the demo holds it until it is done.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    if (process.argv.includes('--serve')) return await serve(createOut(), process.argv);
    return await run();
  } finally {
    clearInterval(keepAlive);
  }
}

async function run(): Promise<number> {
  const out = createOut();
  const target = await openTarget();
  // one provider with every piece on; the cache TTL and the rate are small so the demo shows
  // expiry and pacing within seconds
  const ttlMs = 1200;
  const rate = { requestsPerSecond: 4, burst: 2 };
  const cache = createCache({ strategy: 'selective', minTtlMs: ttlMs, maxTtlMs: ttlMs });
  const provider = createOllamaProvider({ baseUrl: target.baseUrl, cache, rateLimit: rate });
  const steps: Step[] = [
    {
      title: 'Response cache: miss, store, hit, expiry',
      run: (o, t) => cacheStep(o, t, provider, cache, ttlMs),
    },
    {
      title: 'A burst paced by the rate limiter',
      run: (o, t) => rateLimitStep(o, t, provider, rate),
    },
    {
      title: 'Outage: the circuit breaker opens, rejects, probes, closes',
      run: (o, t) => outageStep(o, t),
    },
    {
      title: 'Fallback: a router moves calls to a backup deployment, then brings the primary back',
      run: (o, t) => fallbackStep(o, t),
    },
    {
      title: 'Concurrency slots and shared managers: two providers, one server',
      run: (o, t) => shareStep(o, t),
    },
    { title: 'Streaming with tokens per second', run: (o, t) => streamStep(o, t, provider) },
    { title: 'Pulling a model, with a progress bar', run: (o, t) => pullStep(o, t) },
    { title: 'Creating a model from an uploaded file', run: (o, t) => createStep(o, t) },
    {
      title:
        'The OpenAI provider: complete, stream, limits learned from headers, a preset of your own',
      run: (o) => openaiStep(o),
    },
    {
      title: 'Configuration mistakes and TLS: refused before sending, or a typed connection error',
      run: (o, t) => configMistakesStep(o, t),
    },
    { title: 'Token counts and cost, several providers', run: (o) => tokensStep(o) },
    {
      title: 'Context overflow: caught before sending, or refused by the server (truncate: false)',
      run: (o, t) => overflowStep(o, t, provider),
    },
    { title: 'Connection reuse', run: (o, t) => poolStep(o, t) },
    { title: 'Health and Prometheus metrics', run: (o) => healthStep(o, provider) },
  ];
  out.write(`${bold('@x demo: resilient LLM calls, every feature working')}\n`);
  out.write(`${dim(`running against ${target.describe}`)}\n`);
  let failed = 0;
  try {
    await provider.initialize();
    for (const [i, step] of steps.entries()) {
      out.heading(`${i + 1}/${steps.length}  ${step.title}`);
      try {
        await step.run(out, target);
      } catch (e) {
        failed++;
        out.line(red(`this step failed: ${errorLine(e)}`));
      }
    }
  } finally {
    await provider.close();
    await target.close();
  }
  out.line();
  out.line(
    failed === 0
      ? bold(`done: ${steps.length} steps in ${(out.now() / 1000).toFixed(1)} s`)
      : red(`${failed} of ${steps.length} steps failed`),
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`${errorLine(e)}\n`);
    process.exitCode = 1;
  },
);
