import { describe, expect, it } from 'vitest';
import { createErrorKit } from './error-kit';
import { scrubPartial } from './scrub-partial';
import { Redactor } from './secrets';
import { type BreakerLike, throughBreaker } from './stages/breaker-gate';

const key = 'sk-partial-Zq7Xv9Lm3Pw8Rt2Y';
const kit = createErrorKit({ provider: 'demo', label: 'Demo' });

/** An error whose partial answer echoes the key in its text, its thinking and a tool call. */
function echoing() {
  return kit.incomplete({
    partial: {
      content: `echo ${key}`,
      thinking: `think ${key}`,
      toolCalls: [{ name: 'f', arguments: { k: key, nested: [{ v: `x ${key}` }], n: 1 } }],
      chunks: 3,
    },
  });
}

describe('scrubPartial', () => {
  it('scrubs the text, the thinking and every string in the tool calls, once', () => {
    let scrubs = 0;
    const counting = new Redactor(() => scrubs++);
    counting.add(key);
    const error = echoing();
    scrubPartial(counting.redact, error);
    scrubPartial(counting.redact, error);
    expect(error.partial).toEqual({
      content: 'echo [redacted]',
      thinking: 'think [redacted]',
      toolCalls: [
        { name: 'f', arguments: { k: '[redacted]', nested: [{ v: 'x [redacted]' }], n: 1 } },
      ],
      chunks: 3,
    });
    // the second pass found the partial already scrubbed: nothing looked at again
    expect(scrubs).toBe(4);
  });

  it("is done before the breaker sees the error, with the call's own key", async () => {
    const redactor = new Redactor();
    // a key a callback handed out, long since evicted from the keys the provider remembers
    const own = 'sk-own-call-Kd93jf83Jd92mQ0';
    let seen: unknown;
    const breaker: BreakerLike = {
      state: 'closed',
      async execute(fn) {
        try {
          return await fn(new AbortController().signal);
        } catch (error) {
          seen = (error as { partial?: unknown }).partial;
          throw error;
        }
      },
    };
    const failing = (text: string) => async () => {
      throw kit.incomplete({ partial: { content: text, thinking: '', toolCalls: [], chunks: 1 } });
    };
    const via = { gate: breaker, scrubsPartials: true };
    await throughBreaker(via, undefined, failing(`echo ${own}`), redactor.redactFor(own)).catch(
      () => {},
    );
    expect(seen).toMatchObject({ content: 'echo [redacted]' });
    // a provider without secrets pays no scrubbing hop
    await throughBreaker(
      { gate: breaker, scrubsPartials: false },
      undefined,
      failing(`echo ${own}`),
      redactor.redactFor(own),
    ).catch(() => {});
    expect(seen).toMatchObject({ content: `echo ${own}` });
  });
});
