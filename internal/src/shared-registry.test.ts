import { afterEach, describe, expect, it } from 'vitest';
import {
  expectSharedName,
  firstDifference,
  releaseShared,
  sharedInstance,
} from './shared-registry';

class Thing {
  closed = false;
  constructor(readonly options: unknown) {}
  close(): void {
    this.closed = true;
  }
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

const KEY = Symbol.for('x.test-pkg.shared');
afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[KEY];
});

const ask = (name: unknown, options?: unknown, closes = true) =>
  sharedInstance({
    pkg: 'test-pkg',
    kind: 'thing',
    label: 'shared thing',
    name,
    options,
    create: (o) => new Thing(o),
    // A thing knows two options, `size` and `nested`.
    check: (o) => {
      const unknown = Object.keys(o as object).find((k) => k !== 'size' && k !== 'nested');
      if (unknown !== undefined) throw new TypeError(`Unknown option \`${unknown}\``);
    },
    closes,
  });

describe('sharedInstance', () => {
  it('returns one instance per name, created once with the first options', () => {
    const a = ask('local', { size: 2 });
    expect(ask('local')).toBe(a);
    expect(ask('local', { size: 2 })).toBe(a);
    expect(ask('other')).not.toBe(a);
    expect(a.options).toEqual({ size: 2 });
  });

  it("checks a later ask's options before naming a difference: a typo is its option error", () => {
    ask('local', { size: 2 });
    expect(() => ask('local', { sise: 2 })).toThrow(new TypeError('Unknown option `sise`'));
    expect(() => ask('local', { size: 3 })).toThrow(RangeError);
  });

  it('keeps the registry on globalThis under Symbol.for, where a second copy finds it', () => {
    const a = ask('local');
    const registry = (
      globalThis as Record<symbol, Map<string, Map<string, { instance: unknown }>>>
    )[KEY];
    expect(registry?.get('thing')?.get('local')?.instance).toBe(a);
  });

  it('throws a RangeError naming the first option that differs', () => {
    ask('local', { size: 2, nested: { ttl: 5 } });
    expect(() => ask('local', { size: 2, nested: { ttl: 6 } })).toThrow(
      new RangeError(
        'The shared thing "local" already exists with other options (`nested.ttl` differs): ask with the options it was created with, or with none to use it as it is',
      ),
    );
  });

  it('releases the name when the instance is closed, directly or by asyncDispose', async () => {
    const a = ask('local');
    a.close();
    expect(a.closed).toBe(true);
    const b = ask('local');
    expect(b).not.toBe(a);
    await b[Symbol.asyncDispose]();
    expect(ask('local')).not.toBe(b);
  });

  it('keeps the instance registered until releaseShared when close does not release it', () => {
    const a = ask('local', undefined, false);
    a.close();
    expect(ask('local')).toBe(a);
    expect(releaseShared('test-pkg', 'thing', 'local', new Thing({}))).toBe(false);
    expect(releaseShared('test-pkg', 'thing', 'local', a)).toBe(true);
    expect(ask('local', undefined, false)).not.toBe(a);
  });
});

describe('expectSharedName', () => {
  it('accepts labels, including long hyphenated ones and host:port', () => {
    for (const name of ['ollama-local', 'gpu-a 127.0.0.1:11434', 'team@ollama', 'x'.repeat(5)]) {
      expect(expectSharedName(name)).toBe(name);
    }
    expect(expectSharedName('ollama-on-the-second-gpu-of-the-rack-in-building-b')).toBeTruthy();
    // Ordinary names and ids: kebab and snake case words, versions, a UUID (an id, not a secret).
    for (const name of [
      'answers-v2',
      'tenant_42',
      'support_bot_prompt_answers',
      'meta-llama/Llama-3.1-8B-Instruct',
      // A resource path: its slashes once joined its words into a 32-character "base64" run.
      'locations/us-central1/publishers/google/models/gemini-1.5-flash-002',
      'claude-3-5-sonnet-20241022',
      '123e4567-e89b-12d3-a456-426614174000',
    ]) {
      expect(expectSharedName(name)).toBe(name);
    }
  });

  it('refuses names that hold credentials without showing them', () => {
    for (const name of [
      'http://user:hunter2@ollama:11434',
      'user:hunter2@ollama',
      'sk-proj-abcdefghijklmnopqrstuvwxyz',
      'Bearer abc',
      'a3f9c2e4b1d8a7f6e5c4b3a2918f7e6d5c4b3a29',
      // base64 with its '/': the example AWS secret access key of AWS's documentation.
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws-wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      // Runs broken by '-' or '_' (fabricated, format only): a Google API key, a 43-character
      // base64url token, a Slack bot token. Before, only 32+ unbroken runs were refused.
      'AIzaSyA1b2C3d4E5f6G7h8-I9j0K1L2m3N4o5P6q',
      'Q2hhbmdlTWUtUGxlYXNl_c2VjcmV0LXRva2VuLTEyMw',
      'xoxb-2048163245-4096327891234-Zq8WmR3tY7uP1sLk9VbN2cXe',
      'tenant-xoxb-2048163245-4096327891234-Zq8WmR3tY7uP1sLk9VbN2cXe',
    ]) {
      let error: unknown;
      try {
        expectSharedName(name);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toContain('without credentials');
      expect((error as Error).message).not.toContain(name);
    }
  });

  it('throws the house argument errors for a wrong type or an empty name', () => {
    expect(() => expectSharedName(3)).toThrow(
      new TypeError('Expected `name` to be a non-empty string (a label), got `3` (number)'),
    );
    expect(() => expectSharedName('')).toThrow(RangeError);
    expect(() => expectSharedName('two\nlines')).toThrow(RangeError);
    // a lone surrogate becomes U+FFFD once written out: 'a\uD800' and 'a\uFFFD' would be one
    expect(() => expectSharedName('a\uD800')).toThrow(RangeError);
    expect(() => expectSharedName('a\uDC00b')).toThrow(RangeError);
    expect(expectSharedName('a\uFFFD \uD83D\uDE00')).toBe('a\uFFFD \uD83D\uDE00');
  });
});

describe('firstDifference', () => {
  it('compares plain objects and arrays by value, anything else by identity', () => {
    const fn = () => 1;
    expect(firstDifference({ a: [1, { b: fn }] }, { a: [1, { b: fn }] })).toBeUndefined();
    expect(firstDifference({ a: [1, { b: fn }] }, { a: [1, { b: () => 1 }] })).toBe('a.1.b');
    expect(firstDifference({ a: 1 }, { a: 1, b: 2 })).toBe('b');
  });

  it('takes 0 and -0 for one setting, and NaN for NaN', () => {
    expect(firstDifference({ maxQueue: 0 }, { maxQueue: -0 })).toBeUndefined();
    expect(firstDifference([-0], [0])).toBeUndefined();
    expect(firstDifference({ a: Number.NaN }, { a: Number.NaN })).toBeUndefined();
    expect(firstDifference({ a: Number.NaN }, { a: 0 })).toBe('a');
  });
});
