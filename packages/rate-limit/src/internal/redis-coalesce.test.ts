/**
 * The coalescer's bookkeeping of keys, with a `send` that answers every decision at once: idle
 * keys are kept for their next decision, and swept before they outnumber the busy ones.
 */
import { describe, expect, it } from 'vitest';
import { type Group, TakeCoalescer } from './redis-coalesce';

/** A coalescer whose script calls are answered at once (0: admitted), and the calls it made. */
function answering() {
  const calls: string[][] = [];
  const coalescer = new TakeCoalescer((groups: readonly Group[], settled) => {
    calls.push(groups.map((g) => g.key));
    queueMicrotask(() => {
      for (const g of groups) for (const p of g.requests) p.resolve(0);
      settled();
    });
  }, false);
  return { coalescer, calls };
}

describe('TakeCoalescer', () => {
  it('keeps a hot key between its decisions, one script call each', async () => {
    const { coalescer, calls } = answering();
    for (let i = 0; i < 100; i++) expect(await coalescer.take('hot', [1])).toBe(0);
    expect(calls).toHaveLength(100);
    expect(coalescer.size).toBe(1);
  });

  it('sweeps idle keys once they outnumber the busy ones, so many keys stay bounded', async () => {
    const { coalescer } = answering();
    let most = 0;
    for (let i = 0; i < 10_000; i++) {
      await coalescer.take(`user-${i}`, [1]);
      most = Math.max(most, coalescer.size);
    }
    // at most 64 idle keys plus this one: never the 10,000 seen
    expect(most).toBeLessThanOrEqual(66);
    expect(coalescer.size).toBeLessThanOrEqual(66);
  });

  it('sweeps only idle keys: a key with a call in flight keeps its waiting decisions', async () => {
    const answers: (() => void)[] = [];
    const coalescer = new TakeCoalescer((groups, settled) => {
      answers.push(() => {
        for (const g of groups) for (const p of g.requests) p.resolve(0);
        settled();
      });
    }, false);
    const busy = coalescer.take('busy', [1]);
    await Promise.resolve();
    // 'busy' is in flight; a second decision for it waits behind that call
    const behind = coalescer.take('busy', [1]);
    for (let i = 0; i < 200; i++) {
      const done = coalescer.take(`idle-${i}`, [1]);
      await Promise.resolve();
      answers.pop()!();
      await done;
    }
    expect(answers).toHaveLength(1);
    answers.pop()!();
    await busy;
    await Promise.resolve();
    // the waiting decision went in a call of its own once the first was answered
    expect(answers).toHaveLength(1);
    answers.pop()!();
    await expect(behind).resolves.toBe(0);
  });
});
