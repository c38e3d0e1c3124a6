import { createRandom } from '@x/internal';
import { mix } from './prng';
import { generateTokens } from './text';

// Log probabilities of generated tokens, in the shape Ollama's server builds (api.Logprob:
// `token`, `logprob`, `bytes` as UTF-8 byte values, `top_logprobs` when asked) and its OpenAI layer
// passes on as `choices[].logprobs.content`. Deterministic: a function of the request's seed and
// the token's position. The chosen token is always the most likely of its alternatives.

/** Rounded so that Go and JavaScript print the same digits (no exponent form). */
function logprobValue(random: () => number, below: number): number {
  return Math.round((below - 0.001 - random() * 2.5) * 1e6) / 1e6;
}

function bytesOf(token: string): number[] {
  return [...Buffer.from(token, 'utf8')];
}

/** One token's entry: `{ token, logprob, bytes, top_logprobs? }` (Go omits empty bytes). */
function entry(
  seed: number,
  position: number,
  token: string,
  top: number,
): Record<string, unknown> {
  const random = createRandom(mix(seed, 0x10c + position));
  const logprob = logprobValue(random, 0);
  const out: Record<string, unknown> = {
    token,
    logprob,
    bytes: token === '' ? undefined : bytesOf(token),
  };
  if (top > 0) {
    const alternatives = [{ token, logprob, bytes: out.bytes }];
    let below = logprob;
    for (const other of generateTokens(mix(seed, position), top * 2)) {
      if (alternatives.length >= top) break;
      if (alternatives.some((a) => a.token === other)) continue;
      below = logprobValue(random, below);
      alternatives.push({ token: other, logprob: below, bytes: bytesOf(other) });
    }
    out.top_logprobs = alternatives;
  }
  return out;
}

/** The entries of `tokens` generated from position `first` on, `top` alternatives each. */
export function logprobEntries(
  seed: number,
  tokens: readonly string[],
  first: number,
  top: number,
): Record<string, unknown>[] {
  return tokens.map((t, i) => entry(seed, first + i, t, top));
}

/**
 * The entries of a whole answer: every generated token's, thinking first (the runner reports
 * those too; a tool call has none), or undefined when there is no token (Go's `omitempty`). The
 * same entries at the same positions as its streamed lines or chunks.
 */
export function answerLogprobs(
  seed: number,
  thinking: readonly string[],
  content: readonly string[],
  top: number,
): Record<string, unknown>[] | undefined {
  const tokens = [...thinking, ...content];
  return tokens.length === 0 ? undefined : logprobEntries(seed, tokens, 0, top);
}
