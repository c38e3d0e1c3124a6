import type { OllamaSim } from '@x/ollama-sim';
import {
  createOpenAIProvider,
  type OpenAIProvider,
  type OpenAIToolCall,
  type ToolDefinition,
} from '@x/provider-openai';
import { bold, dim, errorLine, green, ms, type Out, red } from '../output';

/** A thinking model with tools: it thinks aloud (streamed), then sends its call whole. */
const MODEL = 'qwen3:4b';
const TOOLS: ToolDefinition[] = [
  {
    type: 'function',
    function: {
      name: 'get_current_weather',
      description: 'The weather in a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
      },
    },
  },
];
const REQUEST = {
  model: MODEL,
  tools: TOOLS,
  messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }],
};
/** Short deadlines, so that the silence below outlasts `idleMs` in well under a second. */
const TIMEOUTS = { idleMs: 200, firstTokenMs: 5000 };
const SILENCE_MS = 400;

interface Streamed {
  /** Chunks before the one that carried the tool call. */
  before: number;
  call: OpenAIToolCall | undefined;
  /** The wait for the chunk that carried the call, since the one before it. */
  silenceMs: number;
  totalMs: number;
}

async function streamCall(provider: OpenAIProvider): Promise<Streamed> {
  const t0 = performance.now();
  let last = t0;
  let n = 0;
  let silenceMs = 0;
  let before = 0;
  let call: OpenAIToolCall | undefined;
  for await (const chunk of provider.stream(REQUEST)) {
    const now = performance.now();
    if (call === undefined && chunk.toolCalls?.length) {
      before = n;
      call = chunk.toolCalls[0];
      silenceMs = now - last;
    }
    last = now;
    n++;
  }
  return { before, call, silenceMs, totalMs: performance.now() - t0 };
}

const written = (call: OpenAIToolCall | undefined) =>
  call ? `${call.name}(${JSON.stringify(call.arguments)})` : 'no tool call';

/**
 * A preset of your own extending `ollama`, and a tool call whose silence outlasts `idleMs`:
 * Ollama sends nothing while a model writes a call, then the call whole, so that preset waits up
 * to `firstTokenMs` between events of a request with tools; a preset that does not extend it
 * cuts the same answer at `idleMs`. The silence is the simulator's `stall` fault.
 */
export async function silentToolCallDemo(out: Out, sim: OllamaSim): Promise<void> {
  const preset = { name: 'my-ollama', baseUrl: `${sim.url}/v1`, extends: 'ollama' as const };
  // Each has a key label of its own, so the simulator meters them apart from the loop above.
  const mine = createOpenAIProvider({
    preset,
    apiKey: 'demo-key-my-ollama',
    timeouts: TIMEOUTS,
    cache: false,
  });
  const generic = createOpenAIProvider({
    preset: { name: 'my-gateway', baseUrl: `${sim.url}/v1` },
    apiKey: 'demo-key-my-gateway',
    timeouts: TIMEOUTS,
    cache: false,
    retry: false,
  });
  try {
    out.line(
      `a preset of your own: ${bold(`{ name: '${preset.name}', baseUrl: '${preset.baseUrl}', extends: 'ollama' }`)}, idleMs ${ms(TIMEOUTS.idleMs)}, firstTokenMs ${ms(TIMEOUTS.firstTokenMs)}`,
    );
    const plain = await streamCall(mine);
    out.line(
      `tool call: ${MODEL} thinks (${plain.before} chunks), then ${green(written(plain.call))} arrives whole, in ${ms(plain.totalMs)}`,
    );
    // The same answer again (the simulator's answers are seeded) to both presets at once, each
    // silent before the call's event.
    const stall = { kind: 'stall' as const, ms: SILENCE_MS, afterChunks: plain.before };
    sim.setFaults([{ route: '/v1/chat/completions', sequence: [stall, stall] }]);
    out.line(
      dim(
        `the same call to both presets, the model now silent for ${ms(SILENCE_MS)} while it writes the call (a stall the simulator injects):`,
      ),
    );
    const [silent, cut] = await Promise.allSettled([streamCall(mine), generic.complete(REQUEST)]);
    const label = (name: string) => `${name}:`.padEnd(30);
    out.line(
      `  ${label(`${preset.name} (extends 'ollama')`)}${
        silent.status === 'fulfilled'
          ? `${green(written(silent.value.call))} after ${ms(silent.value.silenceMs)} of silence: a request with tools waits up to firstTokenMs`
          : red(errorLine(silent.reason))
      }`,
    );
    out.line(
      `  ${label('my-gateway (no extends)')}${
        cut.status === 'rejected'
          ? errorLine(cut.reason)
          : red(`answered: ${written(cut.value.toolCalls[0])} (idleMs did not apply)`)
      }`,
    );
  } finally {
    sim.setFaults([]);
    await mine.close();
    await generic.close();
  }
}
