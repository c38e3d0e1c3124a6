// `timeouts`: a deadline set to `undefined` keeps its default, as a key left out does (the house
// rule for every option); only `0` turns one off.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS, resolveTimeouts } from './options';

const KEYS = ['connectMs', 'firstTokenMs', 'idleMs', 'totalMs', 'consumerMs'] as const;

describe('resolveTimeouts', () => {
  it('keeps every default for a key set to undefined', () => {
    for (const key of KEYS) {
      expect(resolveTimeouts({ [key]: undefined }), key).toEqual(DEFAULT_TIMEOUTS);
    }
    expect(resolveTimeouts({})).toEqual(DEFAULT_TIMEOUTS);
    expect(resolveTimeouts(undefined)).toEqual(DEFAULT_TIMEOUTS);
  });

  it('turns a deadline off with 0, leaving the others at their default', () => {
    for (const key of ['firstTokenMs', 'idleMs', 'consumerMs'] as const) {
      expect(resolveTimeouts({ [key]: 0 }), key).toEqual({ ...DEFAULT_TIMEOUTS, [key]: undefined });
    }
    expect(resolveTimeouts({ connectMs: 0 }).connectMs).toBe(0);
  });

  it('takes a value as given', () => {
    expect(resolveTimeouts({ idleMs: 1_500, totalMs: 9_000 })).toEqual({
      ...DEFAULT_TIMEOUTS,
      idleMs: 1_500,
      totalMs: 9_000,
    });
  });
});
