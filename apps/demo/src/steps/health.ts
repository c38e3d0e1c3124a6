import type { OllamaProvider } from '@x/provider-ollama';
import { bold, dim, green, ms, type Out, pct, red, yellow } from '../output';

export async function healthStep(out: Out, provider: OllamaProvider): Promise<void> {
  out.explain(
    'Health without generating a token: is the server reachable, which version, which models are',
    'loaded, and the state of the breaker, limiter, cache and pool, summed up in one status.',
    'Then everything the provider counted so far, in the Prometheus text format.',
  );
  const h = await provider.health();
  const paint = h.status === 'healthy' ? green : h.status === 'degraded' ? yellow : red;
  out.line(
    `status ${bold(paint(h.status))} · reachable ${h.reachable} · version ${h.version ?? '?'} · ${ms(h.latencyMs)} · loaded: ${
      h.loadedModels.map((m) => m.name).join(', ') || 'none'
    }${h.breaker ? ` · breaker ${h.breaker.state}` : ''}`,
  );
  if (h.reasons.length > 0) out.line(dim(`reasons: ${h.reasons.join('; ')}`));
  const pool = h.pool as
    | { socketsCreated?: number; requestsServed?: number; reuseRatio?: number }
    | undefined;
  const cache = h.cache as { entries?: number; hitRate?: number } | undefined;
  const limiter = h.rateLimit as
    | { admitted?: number; waited?: number; queued?: number }
    | undefined;
  const parts: string[] = [];
  if (pool?.requestsServed !== undefined) {
    parts.push(
      `pool: ${pool.socketsCreated} socket(s) for ${pool.requestsServed} requests (reuse ${pct(pool.reuseRatio ?? 0)})`,
    );
  }
  if (cache?.entries !== undefined) {
    parts.push(
      `cache: ${cache.entries} ${cache.entries === 1 ? 'entry' : 'entries'}, hit rate ${pct(cache.hitRate ?? 0)}`,
    );
  }
  if (limiter?.admitted !== undefined) {
    parts.push(
      `limiter: ${limiter.admitted} admitted, ${limiter.waited} waited, ${limiter.queued} queued`,
    );
  }
  if (parts.length > 0) out.line(parts.join(' · '));

  const text = provider.toPrometheus();
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  const shown = lines.filter((l) => !/_bucket\{/.test(l) && !/ NaN$/.test(l)).slice(0, 18);
  out.line(
    dim(`Prometheus: ${lines.length} samples; the first ones (histogram buckets left out):`),
  );
  for (const l of shown) out.line(`  ${l}`);
  if (shown.some((l) => l.includes('model=""'))) {
    out.line(
      dim(
        'model="": server metadata calls that name no model (such as initialize()\'s model list): HTTP attempts, no requests; health() is counted nowhere',
      ),
    );
  }
}
