import type { BreakerOptions } from './options';

/** Options a preset sets; spread it into {@link createBreaker} and override what you need. */
export type BreakerPreset = Readonly<
  Pick<
    BreakerOptions,
    | 'failureThreshold'
    | 'successThreshold'
    | 'openTimeoutMs'
    | 'maxOpenTimeoutMs'
    | 'halfOpenMaxProbes'
    | 'probeTimeoutMs'
  >
>;

/**
 * Starting points per provider, within the ranges of the project's design (failure threshold 3-5,
 * success threshold 2-3, open timeout 10-60 s):
 *
 * | preset | failureThreshold | successThreshold | openTimeoutMs | maxOpenTimeoutMs | probeTimeoutMs |
 * |---|---|---|---|---|---|
 * | `ollama` | 3 | 2 | 10 000 | 60 000 | 120 000 |
 * | `openai` | 5 | 2 | 30 000 | 60 000 | 60 000 |
 * | `gemini` | 5 | 3 | 30 000 | 60 000 | 60 000 |
 * | `perplexity` | 3 | 3 | 60 000 | 60 000 | 60 000 |
 *
 * `ollama` is a local server: it fails fast when down (connection refused) and comes back fast, so
 * it trips early and probes again after 10 s, growing to 60 s while it stays down; its probe
 * timeout leaves room for a model to load. Hosted APIs see transient errors under load, so
 * `openai` and `gemini` tolerate 5 in a row and wait 30 s; `gemini` wants 3 good probes because
 * its errors come in waves. `perplexity` has the smallest quotas: it trips at 3 and waits the
 * full minute. All use one probe at a time (`halfOpenMaxProbes: 1`).
 *
 * @example
 * ```ts
 * const breaker = createBreaker({ ...breakerPresets.ollama, name: 'ollama' });
 * ```
 */
export const breakerPresets: Readonly<
  Record<'ollama' | 'openai' | 'gemini' | 'perplexity', BreakerPreset>
> = Object.freeze({
  ollama: Object.freeze({
    failureThreshold: 3,
    successThreshold: 2,
    openTimeoutMs: 10_000,
    maxOpenTimeoutMs: 60_000,
    halfOpenMaxProbes: 1,
    probeTimeoutMs: 120_000,
  }),
  openai: Object.freeze({
    failureThreshold: 5,
    successThreshold: 2,
    openTimeoutMs: 30_000,
    maxOpenTimeoutMs: 60_000,
    halfOpenMaxProbes: 1,
    probeTimeoutMs: 60_000,
  }),
  gemini: Object.freeze({
    failureThreshold: 5,
    successThreshold: 3,
    openTimeoutMs: 30_000,
    maxOpenTimeoutMs: 60_000,
    halfOpenMaxProbes: 1,
    probeTimeoutMs: 60_000,
  }),
  perplexity: Object.freeze({
    failureThreshold: 3,
    successThreshold: 3,
    openTimeoutMs: 60_000,
    maxOpenTimeoutMs: 60_000,
    halfOpenMaxProbes: 1,
    probeTimeoutMs: 60_000,
  }),
});
