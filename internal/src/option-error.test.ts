import { describe, expect, it } from 'vitest';
import { expectNumber, fail } from './args';
import { expectKnownKeys } from './known-keys';
import { messageParts, optionError, withOptionPath } from './option-error';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('withOptionPath', () => {
  it('puts the parent name in front of both paths of an unknown key, as a TypeError', () => {
    const error = thrown(() =>
      withOptionPath('cache', () => expectKnownKeys(undefined, { maxEntires: 5 }, ['maxEntries'])),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      'Unknown option `cache.maxEntires`: did you mean `cache.maxEntries`?',
    );
  });

  it('prefixes a nested path and keeps the list of known keys as it was', () => {
    expect(() =>
      withOptionPath('breaker', () => expectKnownKeys('window', { zzzzzz: 1 }, ['type', 'size'])),
    ).toThrow(new TypeError('Unknown option `breaker.window.zzzzzz`: known keys: `type`, `size`'));
  });

  it('keeps a RangeError a RangeError and the rest of the message word for word', () => {
    const error = thrown(() =>
      withOptionPath('pool', () =>
        expectNumber('connectionsPerHost', 0, { min: 1, integer: true }),
      ),
    );
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(
      'Expected `pool.connectionsPerHost` to be an integer >= 1, got `0` (number)',
    );
  });

  it('composes when one package wraps another that wraps a third', () => {
    expect(() =>
      withOptionPath('primary', () => withOptionPath('cache', () => fail('ttl', 'a function', 5))),
    ).toThrow(new TypeError('Expected `primary.cache.ttl` to be a function, got `5` (number)'));
  });

  it('keeps the frames of the check that refused the value', () => {
    const inner = thrown(() => fail('size', 'a number', 'x'));
    const outer = thrown(() =>
      withOptionPath('window', () => {
        throw inner;
      }),
    );
    expect(outer.stack?.split('\n')[0]).toBe(
      'TypeError: Expected `window.size` to be a number, got `"x"` (string)',
    );
    expect(outer.stack?.split('\n').slice(1)).toEqual(inner.stack?.split('\n').slice(1));
  });

  it('passes through errors that carry no option paths, and those rewritten after the throw', () => {
    const plain = new TypeError('Expected `a` or `b`');
    expect(
      thrown(() =>
        withOptionPath('x', () => {
          throw plain;
        }),
      ),
    ).toBe(plain);
    const rewritten = optionError(['Expected `', 'n', '` to be 1']);
    rewritten.message = 'something else';
    expect(
      thrown(() =>
        withOptionPath('x', () => {
          throw rewritten;
        }),
      ),
    ).toBe(rewritten);
    const other = new Error('boom');
    expect(
      thrown(() =>
        withOptionPath('x', () => {
          throw other;
        }),
      ),
    ).toBe(other);
  });

  it('returns what the factory returns', () => {
    expect(withOptionPath('x', () => 42)).toBe(42);
  });
});

describe('optionError', () => {
  it('prints and serialises as a plain error: the parts are not enumerable', () => {
    const error = optionError(['Unknown option `', 'a', '`'], false);
    expect(Object.keys(error)).toEqual([]);
    expect(
      Object.getOwnPropertySymbols(error).map(
        (s) => Object.getOwnPropertyDescriptor(error, s)?.enumerable,
      ),
    ).toEqual([false]);
    expect(JSON.stringify(error)).toBe('{}');
  });
});

describe('fail', () => {
  it('words a message whose expectation names other options the same way, and prefixes them too', () => {
    const what = ['<= `', 'maxConnections', '` (100)'];
    expect(() => fail('connectionsPerHost', what, 200, true)).toThrow(
      new RangeError(
        'Expected `connectionsPerHost` to be <= `maxConnections` (100), got `200` (number)',
      ),
    );
    expect(() => withOptionPath('pool', () => fail('connectionsPerHost', what, 200, true))).toThrow(
      new RangeError(
        'Expected `pool.connectionsPerHost` to be <= `pool.maxConnections` (100), got `200` (number)',
      ),
    );
  });
});

describe('messageParts', () => {
  it("reads an argument error's parts, and nothing from any other error", () => {
    expect(messageParts(optionError(['Unknown option `', 'a', '`'], true))).toEqual([
      'Unknown option `',
      'a',
      '`',
    ]);
    expect(messageParts(new TypeError('Unknown option `a`'))).toBeUndefined();
    expect(messageParts('Unknown option `a`')).toBeUndefined();
  });

  it('is undefined once the message was rewritten after the throw', () => {
    const error = optionError(['Unknown option `', 'a', '`']);
    error.message = 'something else';
    expect(messageParts(error)).toBeUndefined();
  });
});
