import type { OllamaProvider } from '@x/provider-ollama';
import { bold, dim, ms, type Out, sleep } from '../output';
import type { Target } from '../target';

export async function rateLimitStep(
  out: Out,
  target: Target,
  provider: OllamaProvider,
  rate: { requestsPerSecond: number; burst: number },
): Promise<void> {
  const n = 8;
  // Step 1's calls took tokens from this provider's bucket; in burst / rate seconds it is full
  // again whatever they took, so the burst below starts from a full bucket.
  const refillMs = (1000 * rate.burst) / rate.requestsPerSecond;
  out.explain(
    `${n} requests fired at the same instant through a limiter of ${rate.requestsPerSecond} requests/s with a burst of ${rate.burst},`,
    `once its bucket has refilled (${ms(refillMs)} after step 1's calls). The first ${rate.burst} leave at once; the`,
    `others wait in a fair FIFO queue and leave one every ${(1000 / rate.requestsPerSecond).toFixed(0)} ms: the provider's quota is never`,
    'exceeded, nothing is rejected.',
  );
  const limiter = provider.rateLimiter;
  if (limiter === undefined) throw new Error('this step needs the provider built with a rateLimit');
  await sleep(refillMs);
  const before = limiter.stats();
  const t0 = performance.now();
  const done: { i: number; t: number }[] = [];
  // Each answer says how long it waited for the limiter (`timings.queueWaitMs`), scheduling
  // included; whether it queued at all is the limiter's to say (its `waited` counter).
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
      waits.push(answer.timings.queueWaitMs ?? 0);
    }),
  );
  const after = limiter.stats();
  const admitted = after.admitted - before.admitted;
  const waited = after.waited - before.waited;
  const scale = 40 / Math.max(1, done[done.length - 1]!.t);
  for (const d of done) {
    out.line(
      `request #${String(d.i).padEnd(2)} done at ${`+${d.t.toFixed(0)} ms`.padStart(9)}  ${'·'.repeat(Math.round(d.t * scale))}●`,
    );
  }
  // The requests that queued are the ones with the longest waits.
  const queued = waits.sort((x, y) => y - x).slice(0, waited);
  const p50 = queued.length > 0 ? queued[queued.length >> 1]! : undefined;
  out.line(
    `${bold(String(admitted - waited))} left at once, ${bold(String(waited))} requests waited for the limiter (its stats), p50 wait ${
      p50 === undefined ? '-' : `${p50.toFixed(0)} ms`
    }`,
  );
  out.line(
    dim(
      'the answers are 1 token long, so the finish times show when the limiter let each request go',
    ),
  );
}
