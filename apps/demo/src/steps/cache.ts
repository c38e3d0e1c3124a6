import type { Cache } from '@x/cache';
import type { OllamaProvider } from '@x/provider-ollama';
import { bold, dim, green, ms, type Out, pct, sleep, yellow } from '../output';
import type { Target } from '../target';

export async function cacheStep(
  out: Out,
  target: Target,
  provider: OllamaProvider,
  cache: Cache,
  ttlMs: number,
): Promise<void> {
  out.explain(
    'The same deterministic question (temperature 0) three times: the first call misses and the',
    `answer is stored, the second is served from memory, and after the TTL (${ms(ttlMs)} for this demo;`,
    '30 s to 1 h by default, chosen from the request) the entry expires and the next call misses again.',
  );
  const request = {
    model: target.model,
    messages: [{ role: 'user' as const, content: 'Name the three states of a circuit breaker.' }],
    temperature: 0,
    maxTokens: 48,
  };
  const decision = cache.decide({ ...request, stream: false });
  out.line(
    dim(
      `decide(): cacheable ${decision.cacheable}, reason ${decision.reason}, ttl ${ms(decision.ttlMs)}`,
    ),
  );
  const ask = async (label: string) => {
    const t0 = performance.now();
    const res = await provider.complete(request);
    const took = performance.now() - t0;
    const s = cache.stats();
    out.line(
      `${label.padEnd(24)} ${res.cached ? green('HIT ') : yellow('MISS')} ${ms(took).padStart(8)}   entries ${s.entries}, hits ${s.hits}, misses ${s.misses}, hit rate ${bold(pct(s.hitRate))}${s.expirations ? `, expired ${s.expirations}` : ''}`,
    );
    return res;
  };
  const first = await ask('1st call (miss, stored)');
  out.line(dim(`  answer: ${first.content.replace(/\s+/g, ' ').slice(0, 90)}…`));
  await ask('2nd call (hit)');
  await sleep(ttlMs + 100);
  await ask(`after ${ms(ttlMs)} (expired)`);
  const timely = cache.decide({
    model: target.model,
    messages: [{ role: 'user', content: 'What is the latest news today?' }],
    temperature: 0,
  });
  out.line(
    dim(
      `a time-sensitive prompt ("latest news today") is not cached: cacheable ${timely.cacheable}, reason ${timely.reason}`,
    ),
  );
}
