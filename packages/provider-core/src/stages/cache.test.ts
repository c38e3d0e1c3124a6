import { describe, expect, it } from 'vitest';
import { type CacheInput, CacheStage } from './cache';

type Request = { model: string; prompt: string };

/** A stage whose cache takes every key (`plan` reads only `decide`). */
function stage(cacheable = true): CacheStage {
  const cache = { decide: () => ({ cacheable }) };
  return new CacheStage(cache as never, {} as never, {} as never, {} as never, {} as never);
}

const op: CacheInput<Request> = {
  model: (request) => request.model,
  // No key for an empty prompt: that request is never cached.
  cacheKey: (request) => (request.prompt === '' ? undefined : { ...request }),
};

describe('CacheStage.plan', () => {
  it('reads through, or refreshes, with the key of a request that has one', () => {
    const request = { model: 'm', prompt: 'hi' };
    expect(stage().plan(op, request, undefined)).toEqual({ use: 'read-through', key: request });
    expect(stage().plan(op, request, 'refresh')).toEqual({ use: 'refresh', key: request });
    expect(stage().plan(op, request, 'bypass')).toEqual({ use: 'none' });
    expect(stage(false).plan(op, request, 'default')).toEqual({ use: 'none' });
  });

  it('never caches a request whose key is undefined, whatever the mode', () => {
    const request = { model: 'm', prompt: '' };
    for (const mode of [undefined, 'default', 'refresh', 'bypass'] as const) {
      expect(stage().plan(op, request, mode)).toEqual({ use: 'none' });
    }
  });

  it('never caches for an operation without `cacheKey`', () => {
    const keyless: CacheInput<Request> = { model: op.model };
    expect(stage().plan(keyless, { model: 'm', prompt: 'hi' }, 'default')).toEqual({ use: 'none' });
  });
});
