import type { OllamaProvider } from '@x/provider-ollama';
import { bold, dim, ms, type Out } from '../output';
import type { Target } from '../target';

export async function streamStep(
  out: Out,
  target: Target,
  provider: OllamaProvider,
): Promise<void> {
  out.explain(
    'A streamed answer: chunks are printed as they arrive. The last chunk carries the complete',
    "response with the server's counters, from which the provider derives tokens per second.",
  );
  const t0 = performance.now();
  let first: number | undefined;
  let chunks = 0;
  out.write('  ');
  let response: Awaited<ReturnType<OllamaProvider['complete']>> | undefined;
  for await (const chunk of provider.stream({
    model: target.model,
    messages: [{ role: 'user', content: 'In one sentence: why stream an answer?' }],
    maxTokens: 64,
  })) {
    if (chunk.content) {
      first ??= performance.now() - t0;
      chunks++;
      out.write(chunk.content.replace(/\n/g, ' '));
    }
    if (chunk.done) response = chunk.response;
  }
  out.write('\n');
  const total = performance.now() - t0;
  const t = response?.timings;
  out.line(
    `${chunks} chunks · first token after ${bold(ms(first))} · total ${ms(total)} · ${bold(
      `${t?.tokensPerSecond?.toFixed(1) ?? '?'} tokens/s`,
    )} (server counters: ${response?.usage.completionTokens ?? '?'} tokens generated in ${ms(t?.evalMs)})`,
  );
  out.line(
    dim(
      `finish reason: ${response?.finishReason ?? '?'}, prompt tokens: ${response?.usage.promptTokens ?? '?'}`,
    ),
  );
}
