import { createCache } from '@x/cache';
import { errorTexts, undefinedOptionsRefused } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { NOWHERE, refusal } from './__fixtures__/refusal';
import { startServer } from './__fixtures__/server';
import type { OllamaProviderOptions } from './options';
import { createOllamaProvider } from './provider';

const baseUrl = NOWHERE;

describe('createOllamaProvider nested piece options', () => {
  it.each([
    [
      { cache: { maxEntires: 5 } },
      TypeError,
      'Unknown option `cache.maxEntires`: did you mean `cache.maxEntries`?',
    ],
    [
      { cache: { maxEntries: 0 } },
      RangeError,
      'Expected `cache.maxEntries` to be an integer >= 1, got `0` (number)',
    ],
    [
      { breaker: { failureTreshold: 3 } },
      TypeError,
      'Unknown option `breaker.failureTreshold`: did you mean `breaker.failureThreshold`?',
    ],
    [
      { breaker: { failureThreshold: 0 } },
      RangeError,
      'Expected `breaker.failureThreshold` to be an integer >= 1, or Infinity, got `0` (number)',
    ],
    [
      { breaker: { window: { type: 'count', size: 0 } } },
      RangeError,
      'Expected `breaker.window.size` to be an integer between 1 and 1000000, got `0` (number)',
    ],
    [
      { breaker: { slowCallDurationMs: 5 } },
      TypeError,
      'Expected `breaker.window` to be set when `breaker.slowCallDurationMs` is set (the slow-call rate is computed over it), got `undefined` (undefined)',
    ],
    [
      { pool: { connectionPerHost: 2 } },
      TypeError,
      'Unknown option `pool.connectionPerHost`: did you mean `pool.connectionsPerHost`?',
    ],
    [
      { pool: { keepAliveTimeoutMs: 0 } },
      RangeError,
      'Expected `pool.keepAliveTimeoutMs` to be a finite number between 1 and 2147483647, got `0` (number)',
    ],
    [
      { pool: { connectionsPerHost: 30, maxConnections: 10 } },
      RangeError,
      'Expected `pool.connectionsPerHost` to be <= `pool.maxConnections` (10), got `30` (number)',
    ],
  ])('names the full option path when given %o', (options, kind, message) => {
    const error = refusal(options);
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toBe(message);
  });

  it('points cache.ttlMs and a number given as cache.ttl at the options of a fixed TTL', () => {
    expect(refusal({ cache: { ttlMs: 1000 } }).message).toBe(
      'Unknown option `cache.ttlMs`: did you mean `cache.maxTtlMs`?',
    );
    const error = refusal({ cache: { ttl: 1000 } });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      'Expected `cache.ttl` to be a function (request, response) => milliseconds | undefined | false (a fixed TTL is `cache.minTtlMs` and `cache.maxTtlMs` set to the same number), got `1000` (number)',
    );
  });

  it('names the full path for the options of a shared cache and a shared breaker too', () => {
    expect(refusal({ share: { cache: 'options-test' }, cache: { maxEntires: 1 } }).message).toBe(
      'Unknown option `cache.maxEntires`: did you mean `cache.maxEntries`?',
    );
    expect(
      refusal({ share: { breaker: 'options-test' }, breaker: { failureTreshold: 1 } }).message,
    ).toBe('Unknown option `breaker.failureTreshold`: did you mean `breaker.failureThreshold`?');
  });

  it('leaves the message of a cache created on its own as it was', () => {
    expect(() => createCache({ maxEntires: 5 } as never)).toThrow(
      new TypeError('Unknown option `maxEntires`: did you mean `maxEntries`?'),
    );
  });
});

describe('options named as other clients name them', () => {
  it.each([
    [{ host: 'http://127.0.0.1:11434' }, 'Unknown option `host`: did you mean `baseUrl`?'],
    [{ retries: 3 }, 'Unknown option `retries`: did you mean `retry`?'],
    [{ timeout: 5_000 }, 'Unknown option `timeout`: did you mean `timeouts`?'],
    [{ fetch }, 'Unknown option `fetch`: did you mean `transport`?'],
    [
      { rateLimit: { rps: 5 } },
      'Unknown option `rateLimit.rps`: did you mean `rateLimit.requestsPerSecond`?',
    ],
  ])('%o names the option to use', (options, message) => {
    expect(refusal(options as never)).toEqual(new TypeError(message));
  });
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for every option createOllamaProvider accepts', async () => {
    expect(
      await undefinedOptionsRefused(
        (o) => createOllamaProvider(o),
        { baseUrl: 'http://127.0.0.1:9' },
        (p) => p.close(),
      ),
    ).toEqual([]);
  });
});

describe('option errors and credentials', () => {
  const SECRET = 'SECRET-0123456789abcdef';

  /**
   * Every text the error shows: message, stack, JSON, util.inspect. A `baseUrl` string of the
   * wrong shape is a `RangeError`, and so is a key or header with a character no header may hold
   * (the core's).
   */
  function shown(
    options: Partial<Record<keyof OllamaProviderOptions, unknown>>,
    type: typeof TypeError | typeof RangeError = RangeError,
  ): string {
    const error = refusal(options);
    expect(error).toBeInstanceOf(type);
    return errorTexts([error]).join('\n');
  }

  it.each([
    ['ftp://h/?token=SECRET-0123456789abcdef', 'ftp://h/?[redacted]'],
    ['http://u:SECRET-0123456789abcdef@h:11434', 'http://[redacted]@h:11434'],
    ['http://h:99999/?key=SECRET-0123456789abcdef', 'http://h:99999/?[redacted]'],
    ['http://h:11434/?api_key=SECRET-0123456789abcdef', 'http://h:11434/?[redacted]'],
    ['http://h:11434/#SECRET-0123456789abcdef', 'http://h:11434/#[redacted]'],
  ])('shows baseUrl %j as %j, never the secret', (value, display) => {
    const texts = shown({ baseUrl: value }, RangeError);
    expect(texts).toContain(`got \`"${display}"\` (string)`);
    expect(texts).not.toContain(SECRET.slice(0, 8));
  });

  it.each([
    ['http//u:SECRET-0123456789abcdef@127.0.0.1:11434', 'http//[redacted]@127.0.0.1:11434'],
    ['http:/u:SECRET-0123456789abcdef@127.0.0.1:11434', 'http:/[redacted]@127.0.0.1:11434'],
    ['https:\\\\u:SECRET-0123456789abcdef@h', 'https:\\\\[redacted]@h'],
  ])('refuses baseUrl %j, whose scheme has a typo, showing it as %j', (value, display) => {
    // It was read as a host named `http` with the rest, password and all, as its path.
    const error = refusal({ baseUrl: value });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(
      `Expected \`baseUrl\` to be a URL whose scheme is written \`http://\` or \`https://\`, got \`${JSON.stringify(display)}\` (string)`,
    );
    expect(errorTexts([error]).join('\n')).not.toContain(SECRET.slice(0, 8));
  });

  it('refuses a baseUrl with a query or fragment, which Ollama would never see', () => {
    expect(refusal({ baseUrl: `http://h:11434/?api_key=${SECRET}` }).message).toBe(
      'Expected `baseUrl` to be a URL without query or fragment (a key goes in `apiKey`, other parameters in `headers`), got `"http://h:11434/?[redacted]"` (string)',
    );
  });

  it.each(['http://12\n7.0.0.1:11434', 'http://h:11434/\tapi', 'http://h\0:1'])(
    'refuses a baseUrl with a control character inside %j, which URL parsing would drop silently',
    (baseUrl) => {
      const error = refusal({ baseUrl });
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toMatch(
        /^Expected `baseUrl` to be a URL without control characters \(tab, CR, LF, NUL\.\.\.\), got /,
      );
    },
  );

  it('still trims OLLAMA_HOST as Ollama does, and names it for a line break inside', () => {
    vi.stubEnv('OLLAMA_HOST', 'a\nb:11434');
    try {
      expect(refusal({ baseUrl: undefined }).message).toMatch(
        /^Expected `OLLAMA_HOST` to be a URL without control characters/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
    expect(() => createOllamaProvider({ baseUrl: ' "127.0.0.1:11434"\n' }).close()).not.toThrow();
  });

  it('shows OLLAMA_HOST without its query', () => {
    vi.stubEnv('OLLAMA_HOST', `h:99999?key=${SECRET}`);
    try {
      const error = refusal({ baseUrl: undefined });
      expect(error.message).toBe(
        'Expected `OLLAMA_HOST` to be a URL such as "http://localhost:11434", got `"h:99999?[redacted]"` (string)',
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([
    [{ 'X-Bearer': `${SECRET}\r` }, 'X-Bearer'],
    [{ 'x-jwt': `${SECRET}\n` }, 'x-jwt'],
    [{ 'x-team': `${SECRET}\0` }, 'x-team'],
    [{ 'x-team': `${SECRET}€` }, 'x-team'],
    [{ 'x-team': `${SECRET}\x7f` }, 'x-team'],
  ])('refuses headers %j naming the header, never its value', (headers, name) => {
    const texts = shown({ headers });
    expect(texts).toContain(
      `Expected \`headers.${name}\` to be a string of HTTP header characters (no CR, LF, NUL or other control character, none above U+00FF), got \`[redacted]\` (string)`,
    );
    expect(texts).not.toContain(SECRET.slice(0, 8));
  });

  it('names the type of a header value that is not a string, never the value', () => {
    expect(refusal({ headers: { 'x-jwt': 123456789 } }).message).toBe(
      'Expected `headers.x-jwt` to be a string, got `[redacted]` (number)',
    );
  });

  it.each([`sk-${SECRET}\0x`, `sk-${SECRET}é€`, `sk-${SECRET}\x7f`])(
    'refuses an apiKey with a character no HTTP header may hold (%j)',
    (apiKey) => {
      const texts = shown({ apiKey });
      expect(texts).toContain(
        'Expected `apiKey` to be a non-empty string of HTTP header characters (no CR, LF, NUL or other control character, none above U+00FF), got `[redacted]` (string)',
      );
      expect(texts).not.toContain(SECRET.slice(0, 8));
    },
  );

  it('accepts an apiKey with obs-text (latin-1) characters, which HTTP allows', () => {
    expect(() => createOllamaProvider({ baseUrl, apiKey: 'clé-0123' })).not.toThrow();
  });

  it.each([`sk-proj-${SECRET}`, `Bearer ${SECRET}`, `https://u:${SECRET}@h`])(
    'refuses a name holding a credential (%j), as share does',
    (name) => {
      const error = refusal({ name });
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(
        'Expected `name` to be a label without credentials (never a URL with a password, never derived from a key), got `"[redacted]"` (string)',
      );
      expect(errorTexts([error]).join('\n')).not.toContain(SECRET.slice(0, 8));
    },
  );
});

describe('null, arrays and malformed token options', () => {
  // Each used to be read as "left out": `baseUrl: null` called localhost:11434, `tokens: []` and
  // `tokens: { onOverflow: null }` were the defaults, and `tokens: null` failed reading `.observe`.
  it.each([
    [
      { tokens: null },
      'Expected `tokens` to be token options, a calibrator from createCalibrator(), or false, got `null` (null)',
    ],
    [
      { tokens: [] },
      'Expected `tokens` to be token options, a calibrator from createCalibrator(), or false, got `[]` (array)',
    ],
    [
      { tokens: { onOverflow: null } },
      'Expected `tokens.onOverflow` to be one of "error", "raise", "allow", got `null` (null)',
    ],
    [{ baseUrl: null }, 'Expected `baseUrl` to be a URL string, got `null` (null)'],
  ])('refuses %o naming the field, and nothing is sent', async (options, message) => {
    const server = await startServer({});
    // Where `baseUrl` left out would go: null must not be read as left out.
    vi.stubEnv('OLLAMA_HOST', server.url);
    try {
      expect(() => createOllamaProvider({ baseUrl: server.url, ...options } as never)).toThrow(
        new TypeError(message),
      );
      expect(server.requests).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
      await server.close();
    }
  });

  it('refuses an array as the options, naming them', () => {
    expect(() => createOllamaProvider([] as never)).toThrow(
      new TypeError('Expected `options` to be an object, got `[]` (array)'),
    );
  });
});
