import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeThrown, reportRejection, thrownStack, warnSafely } from './thrown';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('describeThrown', () => {
  it('reads an Error as name and message, anything else as describe() shows it', () => {
    expect(describeThrown(new RangeError('bad'))).toBe('RangeError: bad');
    expect(describeThrown('oops')).toBe('`"oops"` (string)');
    expect(describeThrown(42)).toBe('`42` (number)');
    expect(describeThrown(undefined)).toBe('`undefined` (undefined)');
    expect(describeThrown(Object.create(null))).toBe('`{}` (object)');
  });

  it('never throws, whatever the value does when read', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const error = new Error('x');
    Object.defineProperty(error, 'message', {
      get() {
        throw new Error('no message');
      },
    });
    const tagged = {
      get [Symbol.toStringTag](): never {
        throw new Error('no tag');
      },
      toJSON(): never {
        throw new Error('no JSON');
      },
    };
    expect(describeThrown(proxy)).toBe('an unreadable object');
    expect(describeThrown(error)).toBe('an Error instance');
    expect(describeThrown(tagged)).toBe('an unreadable object');
    expect(thrownStack(proxy)).toBeUndefined();
  });
});

describe('reportRejection', () => {
  it('reports a rejection, a then that throws, and ignores what is not a thenable', async () => {
    const reported: unknown[] = [];
    const report = (error: unknown) => reported.push(error);
    reportRejection(undefined, report);
    // biome-ignore lint/suspicious/noThenProperty: a `then` that is no function: not a thenable
    reportRejection({ then: 1 }, report);
    reportRejection(Promise.resolve(1), report);
    reportRejection(Promise.reject(new Error('later')), report);
    reportRejection(
      {
        // biome-ignore lint/suspicious/noThenProperty: a thenable whose `then` throws at once
        then() {
          throw 'sync';
        },
      },
      report,
    );
    await Promise.resolve();
    expect(reported).toEqual(['sync', new Error('later')]);
  });
});

describe('warnSafely', () => {
  it('swallows an emitWarning that throws', () => {
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {
      throw new Error('patched');
    });
    expect(() => warnSafely('x', { type: 'XListenerError' })).not.toThrow();
  });
});
