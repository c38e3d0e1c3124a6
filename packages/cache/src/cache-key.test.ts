import fc from 'fast-check';
import stableStringify from 'safe-stable-stringify';
import { describe, expect, it } from 'vitest';
import { cacheKey, isIgnoredField } from './cache-key';
import { isCacheKeyError } from './errors';

const chat = {
  model: 'llama3.2',
  messages: [
    { role: 'system', content: 'You are a concise assistant.' },
    { role: 'user', content: 'Why is the sky blue? Answer in one sentence.' },
  ],
  options: { temperature: 0.2, num_ctx: 8192, seed: 7, top_p: 0.9, top_k: 40 },
  format: 'json',
  think: false,
  tools: [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } }],
};

/** A deep copy whose object keys are inserted in an order drawn from `seed`. */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => reorder(item, seed + i));
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  let state = seed >>> 0;
  for (let i = keys.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const out: Record<string, unknown> = {};
  // defineProperty: a plain assignment to `__proto__` (fast-check does generate it) would set the
  // prototype instead of a key.
  for (const key of keys) {
    Object.defineProperty(out, key, {
      value: reorder((value as Record<string, unknown>)[key], seed * 31 + 7),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const requestArb = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), {
  maxKeys: 6,
});

describe('cacheKey', () => {
  it('returns a 43-character base64url SHA-256 when called without a namespace', () => {
    expect(cacheKey(chat)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('returns the same key when object keys are shuffled at any depth', () => {
    fc.assert(
      fc.property(requestArb, fc.integer(), (request, seed) => {
        expect(cacheKey(reorder(request, seed) as object)).toBe(cacheKey(request));
      }),
    );
  });

  it('returns another key exactly when the canonical JSON of the request differs', () => {
    const strip = (r: Record<string, unknown>) => {
      const copy = { ...r };
      for (const name of Object.keys(copy)) if (isIgnoredField(name)) delete copy[name];
      return stableStringify(copy);
    };
    fc.assert(
      fc.property(requestArb, requestArb, (a, b) => {
        expect(cacheKey(a) === cacheKey(b)).toBe(strip(a) === strip(b));
      }),
      { numRuns: 300 },
    );
  });

  it('returns another key when any meaningful field of a chat request changes', () => {
    const base = cacheKey(chat);
    const variants: object[] = [
      { ...chat, model: 'llama3.2:1b' },
      { ...chat, messages: [...chat.messages, { role: 'user', content: 'More.' }] },
      { ...chat, messages: [chat.messages[0], { role: 'user', content: 'Why is the sea blue?' }] },
      { ...chat, messages: [{ ...chat.messages[0], role: 'user' }, chat.messages[1]] },
      { ...chat, format: undefined },
      { ...chat, think: true },
      { ...chat, tools: [] },
      { ...chat, system: 'extra' },
      { ...chat, images: ['aGVsbG8='] },
      ...Object.keys(chat.options).map((name) => ({
        ...chat,
        options: { ...chat.options, [name]: 0.123 },
      })),
      { ...chat, options: { ...chat.options, stop: ['\n'] } },
    ];
    const keys = variants.map((variant) => cacheKey(variant));
    for (const key of keys) expect(key).not.toBe(base);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('returns another key when any camelCase sampling parameter changes', () => {
    const request = {
      model: 'gpt-4o-mini',
      prompt: 'Hi',
      temperature: 0,
      topP: 1,
      topK: 40,
      seed: 1,
      maxTokens: 100,
      stop: ['x'],
      presencePenalty: 0,
      frequencyPenalty: 0,
    };
    const base = cacheKey(request);
    for (const name of Object.keys(request)) {
      const changed = { ...request, [name]: name === 'stop' ? ['y'] : 0.5 };
      expect(cacheKey(changed), name).not.toBe(base);
    }
  });

  it('returns the same key when only transport fields or secrets differ', () => {
    const base = cacheKey(chat);
    expect(
      cacheKey({
        ...chat,
        stream: true,
        keep_alive: '10m',
        keepAlive: 60,
        signal: new AbortController().signal,
        headers: { Authorization: 'Bearer sk-secret' },
        apiKey: 'sk-secret',
        api_key: 'sk-other',
        Authorization: 'Bearer sk-secret',
        'x-api-key': 'k',
        timeoutMs: 100,
        onChunk: () => {},
      }),
    ).toBe(base);
  });

  it('keeps nested fields named like secrets when they can change the answer', () => {
    const withSchema = (name: string) => ({
      ...chat,
      tools: [{ type: 'function', function: { name: 'login', parameters: { [name]: 1 } } }],
    });
    expect(cacheKey(withSchema('password'))).not.toBe(cacheKey(withSchema('username')));
  });

  it('prefixes the namespace when one is given', () => {
    const key = cacheKey(chat, { namespace: 'app-v2' });
    expect(key.startsWith('app-v2:')).toBe(true);
    expect(key.slice('app-v2:'.length)).toBe(cacheKey(chat));
  });

  it('tells strings apart when they differ only in lone surrogates', () => {
    expect(cacheKey({ prompt: '\ud800' })).not.toBe(cacheKey({ prompt: '\ud801' }));
    expect(cacheKey({ prompt: '\ud800' })).not.toBe(cacheKey({ prompt: '\ufffd' }));
  });

  it('treats dates, bytes, bigint and undefined the way JSON would', () => {
    const when = new Date(0);
    expect(cacheKey({ at: when })).toBe(cacheKey({ at: when.toISOString() }));
    expect(cacheKey({ a: 1, b: undefined })).toBe(cacheKey({ a: 1 }));
    expect(cacheKey({ a: [undefined] })).toBe(cacheKey({ a: [null] }));
    expect(cacheKey({ bytes: new Uint8Array([1, 2]) })).not.toBe(
      cacheKey({ bytes: new Uint8Array([1, 3]) }),
    );
    expect(cacheKey({ n: 1n })).not.toBe(cacheKey({ n: 1 }));
  });

  it('keys boxed primitives as the primitives they hold, as JSON does', () => {
    const key = (seed: unknown) => cacheKey({ o: { seed } });
    expect(key(Object(1))).not.toBe(key(Object(2)));
    expect(key(Object(1))).toBe(key(1));
    expect(key(Object('ab'))).toBe(key('ab'));
    expect(key(Object('ab'))).not.toBe(key({ 0: 'a', 1: 'b' }));
    expect(key(Object(true))).toBe(key(true));
    expect(key(Object(false))).not.toBe(key(Object(true)));
    expect(key(Object(5n))).toBe(key(5n));
    expect(key(Object(5n))).not.toBe(key(Object(6n)));
    expect(cacheKey({ messages: [Object('hi')] })).toBe(cacheKey({ messages: ['hi'] }));
  });

  it('keys a request with its own toJSON by what toJSON returns, as JSON does', () => {
    const withToJson = { toJSON: () => ({ a: 1 }), b: 2 };
    expect(cacheKey(withToJson)).not.toBe(cacheKey({ b: 2 }));
    expect(cacheKey(withToJson)).toBe(cacheKey({ a: 1 }));
    expect(cacheKey({ toJSON: () => ({ a: 2 }) })).not.toBe(cacheKey({ toJSON: () => ({ a: 1 }) }));
    // what toJSON returns is filtered as a request is: no transport fields, no secrets
    expect(cacheKey({ toJSON: () => ({ a: 1, stream: true, apiKey: 'sk-1' }) })).toBe(
      cacheKey({ a: 1 }),
    );
    expect(cacheKey({ toJSON: () => 'text' })).not.toBe(cacheKey({ toJSON: () => 'other' }));
  });

  it('returns another key when the same bytes come in another typed-array kind', () => {
    const le = new Uint16Array([0x0201]);
    // The same two bytes on a little-endian machine; the numbers they stand for differ.
    expect(Buffer.from(le.buffer).equals(Buffer.from([1, 2]))).toBe(true);
    expect(cacheKey({ input: new Uint8Array([1, 2]) })).not.toBe(cacheKey({ input: le }));
    expect(cacheKey({ input: new Uint8Array([1, 2]) })).not.toBe(
      cacheKey({ input: new Int8Array([1, 2]) }),
    );
    expect(cacheKey({ input: new Uint8Array([1, 2]) })).not.toBe(
      cacheKey({ input: new DataView(new Uint8Array([1, 2]).buffer) }),
    );
  });

  it('returns another key when an ArrayBuffer holds other bytes', () => {
    expect(cacheKey({ input: new Uint8Array([1]).buffer })).not.toBe(
      cacheKey({ input: new Uint8Array([2]).buffer }),
    );
    expect(cacheKey({ input: new Uint8Array([1]).buffer })).not.toBe(cacheKey({ input: {} }));
  });

  it('returns the keys of earlier versions when a request holds no bytes', () => {
    expect(cacheKey({ model: 'x' })).toBe('xD5yur8BOLYMqyEzLh3FSZTKU5Xji5ZHHkU-P9vKU6g');
    expect(
      cacheKey({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'Hi' }],
        options: { temperature: 0 },
      }),
    ).toBe('L6iKBXARyTWrvhNaSd5LPySem2vWNazdQIp_2JsVtTc');
  });

  it('returns the keys of earlier versions for numbers and string lengths at the edges of the tokens built once', () => {
    // tokens of the integers 0-1023 and heads of strings shorter than 1,024 are built once and
    // reused; on either side of those bounds a key must read exactly as before they were
    // `null` ends the list where `NaN` did: keyed alike before NaN was refused, the key is the same.
    const numbers = [0, -0, 1, 1023, 1024, -1, 0.5, 2 ** 31, -(2 ** 31), 2 ** 32 + 5, 1e21, null];
    const strings = [0, 1, 1023, 1024, 1025].map((n) => 'a'.repeat(n));
    for (let round = 0; round < 2; round++) {
      expect(cacheKey({ model: 'x', options: { values: numbers } })).toBe(
        'J0VxvpL1jWIivk_zQ_qsKtMcDGEjQn3QbjQ-wdDkHQM',
      );
      expect(cacheKey({ model: 'x', messages: strings })).toBe(
        'rF1w2z6GrovchH9pNWqq3Zbrc2G2vLygjMsNuqyCb4I',
      );
    }
    expect(cacheKey({ model: 'x', options: { seed: -0 } })).toBe(
      cacheKey({ model: 'x', options: { seed: 0 } }),
    );
  });

  it('keys class instances and prototype-less objects by their own members, like plain ones', () => {
    class Options {
      temperature = 0;
      seed = 7;
    }
    const bare = Object.assign(Object.create(null) as object, { temperature: 0, seed: 7 });
    const plain = cacheKey({ model: 'x', options: { seed: 7, temperature: 0 } });
    expect(cacheKey({ model: 'x', options: new Options() })).toBe(plain);
    expect(cacheKey({ model: 'x', options: bare })).toBe(plain);
  });

  it('returns the same keys once more names than it remembers have been seen', () => {
    // member names past the remembered ones (1,024 key tokens, 512 top-level names, 64
    // characters each) are encoded the same way, only without the lookup
    const long = 'n'.repeat(65);
    const many = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
    const before = [cacheKey({ [long]: 1, options: many }), cacheKey({ api_key: 's', [long]: 1 })];
    for (let round = 0; round < 2; round++) {
      expect(cacheKey({ [long]: 1, options: many })).toBe(before[0]);
      expect(cacheKey({ api_key: 's', [long]: 1 })).toBe(before[1]);
      expect(cacheKey({ [long]: 1 })).toBe(before[1]);
    }
    expect(cacheKey({ [long]: 1, options: many })).not.toBe(cacheKey({ [long]: 1 }));
  });
  it('throws CacheKeyError when the request is not an object or is cyclic', () => {
    const cyclic: Record<string, unknown> = { model: 'x' };
    cyclic.self = cyclic;
    for (const bad of [null, 'x', 1, [1], cyclic]) {
      let caught: unknown;
      try {
        cacheKey(bad as object);
      } catch (error) {
        caught = error;
      }
      expect(isCacheKeyError(caught)).toBe(true);
      expect((caught as { code: string }).code).toBe('X_CACHE_INVALID_REQUEST');
    }
  });

  it('does not echo a string in the error when a string is given as the request', () => {
    expect(() => cacheKey('sk-live-secret' as never)).toThrow(
      'Expected `request` to be an object, got a string of 14 characters',
    );
    expect(() => cacheKey(null as never)).toThrow(
      'Expected `request` to be an object, got `null` (null)',
    );
  });

  it('throws TypeError when the namespace is not a string', () => {
    expect(() => cacheKey(chat, { namespace: 1 as never })).toThrow(
      'Expected `namespace` to be a string, got `1` (number)',
    );
  });

  it.each([
    'http://bob:hunter2pass@redis:6379',
    'sk-proj-Zq7xK2mP9vR4tY8wB3nL6hJ1',
    'Bearer abcdef123456',
    // Runs broken by '-' or '_' (fabricated, format only): accepted before this release.
    'AIzaSyA1b2C3d4E5f6G7h8-I9j0K1L2m3N4o5P6q',
    'Q2hhbmdlTWUtUGxlYXNl_c2VjcmV0LXRva2VuLTEyMw',
    'xoxb-2048163245-4096327891234-Zq8WmR3tY7uP1sLk9VbN2cXe',
  ])(
    'throws RangeError without showing it when the namespace is a credential (%s)',
    (namespace) => {
      const attempt = () => cacheKey(chat, { namespace });
      expect(attempt).toThrow(RangeError);
      expect(attempt).toThrow(
        'Expected `namespace` to be a label without credentials (never a URL with a password, never derived from a key), got `"[redacted]"` (string)',
      );
      let message = '';
      try {
        attempt();
      } catch (error) {
        message = String(error) + String((error as Error).stack);
      }
      expect(message).not.toContain(namespace.slice(-10));
    },
  );

  it('keeps a namespace with a lone surrogate, an empty one and a repeated one as before', () => {
    expect(cacheKey(chat, { namespace: 'tenant-\uD800' })).toBe(`tenant-\uD800:${cacheKey(chat)}`);
    expect(cacheKey(chat, { namespace: '' })).toBe(cacheKey(chat));
    // checked once, remembered: the second call gets the same answer
    expect(cacheKey(chat, { namespace: 'app-v2' })).toBe(cacheKey(chat, { namespace: 'app-v2' }));
    expect(() => cacheKey(chat, { namespace: 'x:y@example.com' })).toThrow(RangeError);
    expect(() => cacheKey(chat, { namespace: 'x:y@example.com' })).toThrow(RangeError);
  });

  it('throws TypeError when options are an array or a Map', () => {
    expect(() => cacheKey(chat, [] as never)).toThrow(
      new TypeError('Expected `options` to be an object, got `[]` (array)'),
    );
    expect(() => cacheKey(chat, new Map([['namespace', 'app']]) as never)).toThrow(
      new TypeError('Expected `options` to be an object, got a Map (size 1)'),
    );
  });

  it('throws TypeError naming the closest known key when an option is unknown', () => {
    expect(() => cacheKey(chat, { namepsace: 'x' } as never)).toThrow(
      new TypeError('Unknown option `namepsace`: did you mean `namespace`?'),
    );
    expect(() => cacheKey(chat, 'x' as never)).toThrow(
      new TypeError('Expected `options` to be an object, got `"x"` (string)'),
    );
  });
});
