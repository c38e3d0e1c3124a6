import { type Breaker, createBreaker } from '@x/breaker';
import { pullAll } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { classifyForBreaker } from '../compose/classify';
import { type Gate, streamThroughBreaker } from './breaker-gate';

/** A source of `items`, then `failure` if given; records what was asked of it. */
function source(items: number[], failure?: Error) {
  const log: string[] = [];
  async function* generate(): AsyncGenerator<number, void, undefined> {
    try {
      for (const item of items) {
        log.push('next');
        yield item;
      }
      log.push('next');
      if (failure !== undefined) throw failure;
    } finally {
      log.push('finally');
    }
  }
  return { src: generate(), log };
}

/** The gate of a provider without secrets: nothing to scrub from a failure's partial. */
const gate = (breaker: Breaker): Gate => ({ gate: breaker, scrubsPartials: false });
const same = (text: string) => text;

describe('streamThroughBreaker', () => {
  it('counts a body read to its end as a success, and starts nothing before the first next()', async () => {
    const breaker = createBreaker({ name: 'gate-success' });
    const { src } = source([1, 2, 3]);
    const stream = streamThroughBreaker(gate(breaker), undefined, () => src, same);
    expect(breaker.stats().calls).toBe(0);
    expect(await pullAll(stream)).toEqual([1, 2, 3]);
    expect(breaker.stats()).toMatchObject({ calls: 1, successes: 1, failures: 0 });
  });

  it('counts a failure in the middle of the body as a failure and passes the error on', async () => {
    const breaker = createBreaker({ name: 'gate-failure' });
    const broken = new Error('connection reset mid-stream');
    const { src } = source([1], broken);
    const stream = streamThroughBreaker(gate(breaker), undefined, () => src, same);
    await expect(pullAll(stream)).rejects.toBe(broken);
    await new Promise((resolve) => setImmediate(resolve));
    expect(breaker.stats()).toMatchObject({ calls: 1, successes: 0, failures: 1 });
  });

  it('lets go of the source without blame when the consumer leaves early', async () => {
    // the classify of every breaker the request path builds: the caller's leaving is ignored
    const breaker = createBreaker({ name: 'gate-early', classify: classifyForBreaker });
    const { src, log } = source([1, 2, 3]);
    const stream = streamThroughBreaker(gate(breaker), undefined, () => src, same);
    expect((await stream.next()).value).toBe(1);
    expect(await stream.return(undefined)).toEqual({ done: true, value: undefined });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['next', 'finally']);
    // neither a failure nor a success: a probe left early must not close the breaker
    expect(breaker.stats()).toMatchObject({ calls: 1, failures: 0, successes: 0, ignored: 1 });
  });

  it('lets go without blame whatever the classify of the breaker says', async () => {
    // the rule is the breaker's own (`ignoreOutcome()`), not the classify's
    const breaker = createBreaker({ name: 'gate-strict', classify: () => 'failure' });
    const { src } = source([1, 2, 3]);
    const stream = streamThroughBreaker(gate(breaker), undefined, () => src, same);
    expect((await stream.next()).value).toBe(1);
    await stream.return(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(breaker.stats()).toMatchObject({ calls: 1, failures: 0, successes: 0, ignored: 1 });
  });

  it('counts a consumer who leaves once the answer is complete as a success', async () => {
    const breaker = createBreaker({ name: 'gate-complete', classify: classifyForBreaker });
    const { src } = source([1, 2, 3]);
    const stream = streamThroughBreaker(
      gate(breaker),
      undefined,
      () => src,
      same,
      () => true,
    );
    expect((await stream.next()).value).toBe(1);
    await stream.return(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(breaker.stats()).toMatchObject({ calls: 1, failures: 0, successes: 1, ignored: 0 });
  });

  it('never starts a stream an open breaker refuses, and stays ended after the refusal', async () => {
    const breaker = createBreaker({ name: 'gate-open' });
    breaker.open();
    let started = 0;
    const stream = streamThroughBreaker(
      gate(breaker),
      undefined,
      () => {
        started++;
        return source([1]).src;
      },
      same,
    );
    await expect(stream.next()).rejects.toMatchObject({ reason: 'open' });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(started).toBe(0);
    expect(breaker.stats().rejections).toBe(1);
  });

  it('starts nothing when the consumer leaves before the first chunk', async () => {
    const breaker = createBreaker({ name: 'gate-unread' });
    let started = 0;
    const stream = streamThroughBreaker(
      gate(breaker),
      undefined,
      () => {
        started++;
        return source([1]).src;
      },
      same,
    );
    await stream.return(undefined);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(started).toBe(0);
    expect(breaker.stats().calls).toBe(0);
  });
});
