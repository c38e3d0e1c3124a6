import type { OllamaProvider } from '@x/provider-ollama';
import { bold, dim, green, ms, type Out, red, yellow } from '../output';

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

  const text = provider.toPrometheus();
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  const shown = lines.filter((l) => !/_bucket\{/.test(l) && !/ NaN$/.test(l)).slice(0, 18);
  out.line(
    dim(`Prometheus: ${lines.length} samples; the first ones (empty quantiles, NaN, left out):`),
  );
  for (const l of shown) out.line(`  ${l}`);
}
