import { expect, it, describe as suite } from 'vitest';
import { describe, expected } from './describe';

suite('describe', () => {
  it('tells an array from an object and a string from a number', () => {
    expect(describe([10])).toBe('`[10]` (array)');
    expect(describe({ a: 1 })).toBe('`{"a":1}` (object)');
    expect(describe('10')).toBe('`"10"` (string)');
    expect(describe(10)).toBe('`10` (number)');
    expect(describe(null)).toBe('`null` (null)');
    expect(describe(undefined)).toBe('`undefined` (undefined)');
    expect(describe(10n)).toBe('`10n` (bigint)');
    expect(describe(Number.NaN)).toBe('`NaN` (number)');
  });

  it('names functions and symbols, and shows a circular object with its cycle marked', () => {
    expect(describe(function named() {})).toBe('`[Function named]` (function)');
    expect(describe(Symbol('s'))).toBe('`Symbol(s)` (symbol)');
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    expect(describe(circular)).toBe('`{"a":1,"self":[Circular]}` (object)');
    expect(describe([1, circular])).toBe('`[1,{"a":1,"self":[Circular]}]` (array)');
  });

  it('shows what JSON cannot write: a BigInt inside, a getter that throws', () => {
    expect(describe({ n: 10n, list: [1n] })).toBe('`{"n":10n,"list":[1n]}` (object)');
    const getter = {
      a: 1,
      get x(): never {
        throw new Error('GETTER-BOOM');
      },
      skipped: undefined,
      b: [undefined, () => 1],
    };
    expect(describe(getter)).toBe('`{"a":1,"x":[unreadable],"b":[null,null]}` (object)');
    const badJson = {
      toJSON(): never {
        throw new Error('JSON-BOOM');
      },
    };
    expect(describe({ inner: badJson, n: 1n })).toBe('`{"inner":[unreadable],"n":1n}` (object)');
  });

  it('never throws, whatever a Proxy does when read', () => {
    const boom = () => {
      throw new Error('PROXY-BOOM');
    };
    const trapping = new Proxy({}, { get: boom, ownKeys: boom, getOwnPropertyDescriptor: boom });
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const fn = new Proxy(function named() {}, { get: boom });
    expect(describe(trapping)).toBe('an unreadable object');
    expect(describe(revoked)).toBe('an unreadable object');
    expect(describe(fn)).toBe('`[Function]` (function)');
    expect(describe({ inner: trapping, n: 1n })).toBe('`{"inner":[unreadable],"n":1n}` (object)');
    expect(expected('options', 'an object', revoked)).toBe(
      'Expected `options` to be an object, got an unreadable object',
    );
  });

  it('hides credentials in what it writes with care, and stays as short', () => {
    const circular: Record<string, unknown> = {
      apiKey: 'hunter2',
      url: 'redis://:pw0rd@h:6379',
      sk_live_51HdQz8Lm3Pw8Rt2Yb6Nc4: 1,
    };
    circular.self = circular;
    const shown = describe(circular);
    expect(shown).toContain('"apiKey":"[redacted]"');
    expect(shown).toContain('redis://[redacted]@h');
    expect(shown).not.toMatch(/hunter2|pw0rd|51HdQz8/);
    const wide: Record<string, unknown> = { big: 1n };
    for (let i = 0; i < 10_000; i++) wide[`key${i}`] = { deep: { deeper: [i, wide] } };
    expect(describe(wide).length).toBeLessThan(80);
  });

  it('never shows what looks like a credential, alone or in an object', () => {
    expect(describe('sk-proj-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd')).toBe('`"[redacted]"` (string)');
    expect(describe({ apiKey: 'hunter2', model: 'llama3.2' })).toBe(
      '`{"apiKey":"[redacted]","model":"llama3.2"}` (object)',
    );
    expect(describe(['Bearer abc.def'])).toBe('`["Bearer [redacted]"]` (array)');
    expect(describe('redis://:pw@host:6379/0')).toBe('`"redis://[redacted]@host:6379/0"` (string)');
  });

  it('cuts long values to 60 characters', () => {
    const shown = describe('x'.repeat(500));
    expect(shown.length).toBeLessThan(80);
    expect(shown).toContain('...');
  });
});

suite('expected', () => {
  it('writes the house message', () => {
    expect(expected('capacity', 'a finite number >= 1', 0)).toBe(
      'Expected `capacity` to be a finite number >= 1, got `0` (number)',
    );
  });
});
