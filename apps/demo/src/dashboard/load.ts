/**
 * The load behind the live dashboard: a few workers calling the provider against the simulator,
 * a mix of repeated questions (served from the cache), fresh ones, streams and a second model,
 * with an outage in the middle of every cycle (the simulator answers 503 to every chat).
 */
import type { OllamaSim } from '@x/ollama-sim';
import type { OllamaProvider } from '@x/provider-ollama';

/** One stretch of the cycle: how long, and whether the simulator is down. */
export interface Phase {
  name: 'normal' | 'outage';
  ms: number;
}

/** Normal traffic, then 12 s of outage, then recovery; repeated while the dashboard runs. */
export const DEFAULT_CYCLE: readonly Phase[] = [
  { name: 'normal', ms: 20_000 },
  { name: 'outage', ms: 12_000 },
  { name: 'normal', ms: 20_000 },
];

const QUESTIONS = [
  'What is a circuit breaker?',
  'Why pace requests with a token bucket?',
  'When is an answer safe to cache?',
  'What does a retry budget protect?',
];

const MODELS = ['llama3.2', 'qwen3:4b'];

export interface LoadOptions {
  provider: OllamaProvider;
  sim: OllamaSim;
  /** Workers calling at once. */
  concurrency?: number;
  /** The phases, run in order; `loop` starts over after the last. */
  cycle?: readonly Phase[];
  loop?: boolean;
}

export interface Load {
  /** The phase running now. */
  readonly phase: Phase['name'];
  /** Stops the workers and waits for their calls to end. */
  stop(): Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts the workers and the phase clock. */
export function startLoad(options: LoadOptions): Load {
  const { provider, sim } = options;
  const cycle = options.cycle ?? DEFAULT_CYCLE;
  const controller = new AbortController();
  let phase: Phase['name'] = 'normal';
  let n = 0;

  const oneCall = async (worker: number) => {
    const i = n++;
    const model = MODELS[i % 7 === 0 ? 1 : 0]!;
    const signal = controller.signal;
    // Repeated deterministic questions hit the cache; the others reach the server.
    if (i % 3 === 0) {
      await provider.complete({
        model,
        messages: [{ role: 'user', content: QUESTIONS[i % QUESTIONS.length]! }],
        temperature: 0,
        signal,
      });
      return;
    }
    const request = {
      model,
      messages: [{ role: 'user' as const, content: `worker ${worker}, question ${i}` }],
      signal,
    };
    if (i % 3 === 1) {
      for await (const _ of provider.stream(request)) {
        // Read to the end: tokens, first-token time and the stream's outcome are counted.
      }
    } else {
      await provider.complete(request);
    }
  };

  const worker = async (id: number) => {
    while (!controller.signal.aborted) {
      try {
        await oneCall(id);
        await pause(10);
      } catch {
        // Counted by the provider (errors by code); the pause keeps an open breaker from
        // turning the loop into a spin.
        if (!controller.signal.aborted) await pause(150);
      }
    }
  };

  const clock = async () => {
    do {
      for (const step of cycle) {
        if (controller.signal.aborted) return;
        phase = step.name;
        sim.setFaults(
          step.name === 'outage'
            ? [{ route: '/api/chat', fault: { kind: 'status', status: 503 } }]
            : [],
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, step.ms);
          controller.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    } while (options.loop !== false && !controller.signal.aborted);
    phase = 'normal';
  };

  const running = Promise.all([
    clock(),
    ...Array.from({ length: options.concurrency ?? 8 }, (_, id) => worker(id)),
  ]);
  return {
    get phase() {
      return phase;
    },
    async stop() {
      controller.abort(new DOMException('The dashboard stopped', 'AbortError'));
      await running;
    },
  };
}
