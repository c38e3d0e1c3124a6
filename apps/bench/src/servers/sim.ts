import { type OllamaSim, type OllamaSimOptions, startOllamaSim } from '@x/ollama-sim';
import { appDir } from '../env';
import { startChildServer } from './child-server';

export const MODEL = 'llama3.2';

/** The simulator for benchmarks: answers at once (no generation delay) unless told otherwise. */
export function startBenchSim(options: OllamaSimOptions = {}): Promise<OllamaSim> {
  return startOllamaSim({ ...benchSimDefaults, ...options });
}

/** Wide enough never to queue or log under a benchmark, with answers of a fixed length. */
const benchSimDefaults = {
  numParallel: 256,
  maxQueue: 4096,
  maxLogEntries: 0,
  responseTokens: { min: 16, max: 16 },
} satisfies OllamaSimOptions;

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

export interface SimProcess {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts @x/ollama-sim in a child process, so the server's work does not share the client's event
 * loop: what a client comparison measures is then the client. (Scenarios that script faults or
 * listen to the simulator's events run it in-process.)
 */
export function startSimProcess(options: Record<string, unknown> = {}): Promise<SimProcess> {
  const code = `
    const { startOllamaSim } = await import('@x/ollama-sim');
    const sim = await startOllamaSim(JSON.parse(process.env.X_SIM_OPTIONS));
    process.stdout.write('url ' + sim.url + '\\n');
    process.on('SIGTERM', () => sim.close().then(() => process.exit(0)));
  `;
  return startChildServer(code, {
    marker: 'url',
    cwd: appDir,
    env: {
      X_SIM_OPTIONS: JSON.stringify({ ...benchSimDefaults, ...options }),
    },
    what: 'simulator',
  }).then(({ announced, close }) => ({ url: announced, close }));
}
