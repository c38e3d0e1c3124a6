import type { OllamaProvider } from '@x/provider-ollama';
import { bold, dim, type Out } from '../output';
import type { Target } from '../target';

export async function rateLimitStep(
  out: Out,
  target: Target,
  provider: OllamaProvider,
  rate: { requestsPerSecond: number; burst: number },
): Promise<void> {
  const n = 8;
  out.explain(
    `${n} requests fired at the same instant through a limiter of ${rate.requestsPerSecond} requests/s with a burst of ${rate.burst}.`,
    `The first ${rate.burst} leave at once; the others wait in a fair FIFO queue and leave one every`,
    `${(1000 / rate.requestsPerSecond).toFixed(0)} ms: the provider's quota is never exceeded, nothing is rejected.`,
  );
  const t0 = performance.now();
  const done: { i: number; t: number }[] = [];
  // Each answer says how long it waited for the limiter: this burst's own waits, whatever the
  // earlier steps' calls waited (the provider's stats add them all up).
  const waits: number[] = [];
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const answer = await provider.complete({
        model: target.model,
        messages: [{ role: 'user', content: `Reply with the number ${i + 1}.` }],
        maxTokens: 1,
        cache: 'bypass',
      });
      done.push({ i: i + 1, t: performance.now() - t0 });
      const waited = answer.timings.queueWaitMs ?? 0;
      if (waited >= 1) waits.push(waited);
    }),
  );
  const scale = 40 / Math.max(1, done[done.length - 1]!.t);
  for (const d of done) {
    out.line(
      `request #${String(d.i).padEnd(2)} done at ${`+${d.t.toFixed(0)} ms`.padStart(9)}  ${'·'.repeat(Math.round(d.t * scale))}●`,
    );
  }
  waits.sort((x, y) => x - y);
  out.line(
    `${bold(String(waits.length))} requests waited for the limiter, p50 wait ${
      waits.length > 0 ? `${waits[(waits.length - 1) >> 1]!.toFixed(0)} ms` : '-'
    }`,
  );
  out.line(
    dim(
      'the answers are 1 token long, so the finish times show when the limiter let each request go',
    ),
  );
}
