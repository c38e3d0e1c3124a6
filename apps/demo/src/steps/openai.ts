import type { OllamaSim } from '@x/ollama-sim';
import { createOpenAIProvider, type OpenAIProvider } from '@x/provider-openai';
import { bold, dim, errorLine, green, ms, type Out, red } from '../output';
import { SIM_MODEL, startDemoSim } from '../target';
import { silentToolCallDemo } from './openai-tool-call';

/** The quota of the simulator's `/v1`: 4 requests per key per 1.5 s window. */
const QUOTA = { requests: 4, windowMs: 1500 };
const CALLS = 10;

/**
 * Where the OpenAI step calls: a real OpenAI-compatible server when `OPENAI_API_KEY` or
 * `OPENAI_BASE_URL` is set (the provider reads both, as OpenAI's client does), else the
 * simulator's `/v1` with a quota.
 */
function openProvider(sim: OllamaSim | undefined): OpenAIProvider {
  if (sim === undefined) return createOpenAIProvider({ cache: false });
  return createOpenAIProvider({
    baseUrl: `${sim.url}/v1`,
    // A label for the simulator's quota; the simulator accepts any key.
    apiKey: 'demo-key-for-the-simulator',
    cache: false,
    retry: { retries: 3, baseDelayMs: 50 },
  });
}

export async function openaiStep(out: Out, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const real = Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
  out.explain(
    '@x/provider-openai: the same request path for any OpenAI-compatible API (Chat Completions over',
    "server-sent events). It reads the server's x-ratelimit-* headers and paces its own limiter to",
    'them, so a client at its quota waits before sending rather than collecting 429s. A preset of',
    "your own that extends 'ollama' speaks Ollama's dialect: as in @x/provider-ollama, a chat with",
    'tools waits up to firstTokenMs between events, not idleMs (Ollama sends nothing while a model',
    'writes a tool call, then the call whole).',
  );
  const sim = real ? undefined : await startDemoSim({ quota: QUOTA });
  const provider = openProvider(sim);
  const model = real ? (env.OPENAI_MODEL ?? 'gpt-4o-mini') : SIM_MODEL;
  out.line(
    dim(
      real
        ? `against ${provider.baseUrl}, model ${model} (OPENAI_BASE_URL / OPENAI_API_KEY)`
        : `against the simulator's /v1 at ${provider.baseUrl}, quota ${QUOTA.requests} requests per ${ms(QUOTA.windowMs)} per key (set OPENAI_API_KEY for a real server)`,
    ),
  );
  try {
    const answer = await provider.complete({
      model,
      messages: [{ role: 'user', content: 'In five words: what is a circuit breaker?' }],
      maxTokens: 32,
    });
    out.line(
      `complete(): "${answer.content.slice(0, 60).replace(/\n/g, ' ')}" · ${answer.usage.promptTokens ?? '?'} + ${answer.usage.completionTokens ?? '?'} tokens · ${ms(answer.timings.latencyMs)}`,
    );
    // The server's x-request-id, what its support asks for: Ollama's /v1 (and the simulator) send none.
    if (answer.requestId !== undefined) out.line(dim(`requestId: ${answer.requestId}`));
    out.write('  stream():  ');
    let chunks = 0;
    for await (const chunk of provider.stream({
      model,
      messages: [{ role: 'user', content: 'Count from one to five.' }],
      maxTokens: 32,
    })) {
      if (chunk.content) {
        chunks++;
        out.write(chunk.content.replace(/\n/g, ' '));
      }
    }
    out.write('\n');
    out.line(dim(`${chunks} chunks over server-sent events`));
    const limits = provider.serverLimits();
    out.line(
      `the server said: ${bold(`${limits?.remainingRequests ?? '?'} of ${limits?.limitRequests ?? '?'}`)} requests left in this window`,
    );
    if (real) return;
    // A loop far above the quota: the limiter holds each call until the server's window resets.
    const t0 = performance.now();
    const refusedBefore = sim!.stats().byStatus['429'] ?? 0;
    let done = 0;
    for (let i = 0; i < CALLS; i++) {
      try {
        await provider.complete({
          model,
          messages: [{ role: 'user', content: `call ${i}` }],
          maxTokens: 8,
        });
        done++;
      } catch (e) {
        out.line(red(`  ${errorLine(e)}`));
      }
    }
    const refused = (sim!.stats().byStatus['429'] ?? 0) - refusedBefore;
    out.line(
      `${CALLS} calls in a loop against a quota of ${QUOTA.requests} per window: ${green(`${done} answered`)} in ${ms(performance.now() - t0)}, ` +
        `${refused === 0 ? green('0') : red(String(refused))} 429 answers from the server`,
    );
    out.line(
      dim(
        `the limiter was paced to the server's headers ${provider.serverLimits()?.adjustments ?? 0} time(s): calls waited for the window before sending, instead of collecting 429s`,
      ),
    );
    await silentToolCallDemo(out, sim!);
  } finally {
    await provider.close();
    await sim?.close();
  }
}
