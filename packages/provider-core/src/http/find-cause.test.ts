import { describe, expect, it } from 'vitest';
import { findCause } from './find-cause';

const codeOf = ({ code }: { code?: unknown }) => (typeof code === 'string' ? code : undefined);

describe('findCause', () => {
  it('returns the first answer along the cause chain, the error itself first', () => {
    const error = new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'E1' }) });
    expect(findCause(error, codeOf)).toBe('E1');
    expect(findCause(Object.assign(error, { code: 'E0' }), codeOf)).toBe('E0');
  });

  it('ends on a chain that loops, and on a link that is not an object', () => {
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    let seen = 0;
    expect(findCause(loop, () => void seen++)).toBeUndefined();
    expect(seen).toBe(4);
    expect(findCause(new Error('x', { cause: 'text' }), codeOf)).toBeUndefined();
  });

  it("follows an AggregateError's first error only when asked to", () => {
    const aggregate = new AggregateError([Object.assign(new Error('a'), { code: 'EA' })], 'all', {
      cause: Object.assign(new Error('c'), { code: 'EC' }),
    });
    expect(findCause(aggregate, codeOf)).toBe('EC');
    expect(findCause(aggregate, codeOf, true)).toBe('EA');
  });
});
