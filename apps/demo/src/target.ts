import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider } from '@x/provider-ollama';

/** Where the demo sends its requests: the embedded simulator, or a real Ollama. */
export interface Target {
  kind: 'sim' | 'ollama';
  baseUrl: string;
  /** The chat model the demo uses. */
  model: string;
  /** The embedded simulator (also used for the fault-injection step against a real Ollama). */
  sim?: OllamaSim;
  describe: string;
  close(): Promise<void>;
}

export const SIM_MODEL = 'llama3.2';

/** A simulator that answers like a small local model: visible streaming, bounded answers. */
export function startDemoSim(
  options: Parameters<typeof startOllamaSim>[0] = {},
): Promise<OllamaSim> {
  return startOllamaSim({
    tokensPerSecond: 150,
    responseTokens: { min: 20, max: 32 },
    numParallel: 4,
    seed: 7,
    ...options,
  });
}

async function firstModel(baseUrl: string): Promise<string | undefined> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/api/tags`);
  } catch (e) {
    const why =
      e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    throw new Error(
      `Cannot reach Ollama at ${baseUrl} (${why}). Start it, fix OLLAMA_HOST, or unset OLLAMA_HOST to use the embedded simulator.`,
    );
  }
  if (!res.ok) throw new Error(`GET ${baseUrl}/api/tags answered ${res.status}`);
  const json = (await res.json()) as { models?: { name: string; capabilities?: string[] }[] };
  const chat = json.models?.find((m) => !/embed/i.test(m.name));
  return chat?.name;
}

export async function openTarget(env = process.env): Promise<Target> {
  const host = env.OLLAMA_HOST?.trim();
  if (host) {
    // Read OLLAMA_HOST exactly as the provider (and Ollama's own clients) do: `localhost` or
    // `0.0.0.0` without a port mean port 11434, `:11434` means this machine.
    const probe = createOllamaProvider({ baseUrl: host });
    const baseUrl = probe.baseUrl;
    await probe.close();
    const model = env.OLLAMA_MODEL ?? (await firstModel(baseUrl));
    if (!model) {
      throw new Error(
        `The Ollama at ${baseUrl} has no chat model: pull one (ollama pull llama3.2) or set OLLAMA_MODEL.`,
      );
    }
    return {
      kind: 'ollama',
      baseUrl,
      model,
      describe: `a real Ollama at ${baseUrl}, model ${model}`,
      close: async () => {},
    };
  }
  const sim = await startDemoSim();
  return {
    kind: 'sim',
    baseUrl: sim.url,
    model: SIM_MODEL,
    sim,
    describe: `the embedded @x/ollama-sim at ${sim.url} (set OLLAMA_HOST to use a real Ollama)`,
    close: () => sim.close(),
  };
}
