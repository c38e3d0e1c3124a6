import { errorTexts, undefinedOptionsRefused } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { completion, json } from './__fixtures__/server';
import { ask, chats, setup, track } from './__fixtures__/setup';
import { createOpenAIProvider } from './provider';

const baseUrl = 'http://127.0.0.1:9/v1';

describe('createOpenAIProvider nested piece options', () => {
  it.each([
    [
      { cache: { maxEntires: 5 } },
      TypeError,
      'Unknown option `cache.maxEntires`: did you mean `cache.maxEntries`?',
    ],
    [
      { cache: { ttlMs: 1000 } },
      TypeError,
      'Unknown option `cache.ttlMs`: did you mean `cache.maxTtlMs`?',
    ],
    [
      { breaker: { failureTreshold: 3 } },
      TypeError,
      'Unknown option `breaker.failureTreshold`: did you mean `breaker.failureThreshold`?',
    ],
    // the official client's names
    [{ maxRetries: 2 }, TypeError, 'Unknown option `maxRetries`: did you mean `retry`?'],
    [{ timeout: 60_000 }, TypeError, 'Unknown option `timeout`: did you mean `timeouts`?'],
    [
      { pool: { connectionsPerHost: 0 } },
      RangeError,
      'Expected `pool.connectionsPerHost` to be an integer >= 1, got `0` (number)',
    ],
    // the breaker's bounds and key checks, through the core's `breaker` option
    [
      { breaker: { window: { type: 'count', size: 2 ** 32 } } },
      RangeError,
      'Expected `breaker.window.size` to be an integer between 1 and 1000000, got `4294967296` (number)',
    ],
    [
      { breaker: { window: { typ: 'count', size: 5 } } },
      TypeError,
      'Unknown option `breaker.window.typ`: did you mean `breaker.window.type`?',
    ],
  ])('names the full option path when given %o', (options, kind, message) => {
    const create = () => createOpenAIProvider({ baseUrl, apiKey: 'k', ...(options as object) });
    expect(create).toThrow(kind);
    expect(create).toThrow(message);
  });
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for every option createOpenAIProvider accepts', async () => {
    expect(
      await undefinedOptionsRefused(
        (o) => createOpenAIProvider(o),
        { baseUrl: 'http://127.0.0.1:9/v1' },
        (p) => p.close(),
      ),
    ).toEqual([]);
  });
});

describe('option errors and credentials', () => {
  const SECRET = 'SECRET-0123456789abcdef';

  /** The error `createOpenAIProvider` throws for these options (it must throw). */
  function refusal(options: Record<string, unknown>): Error {
    try {
      createOpenAIProvider({ baseUrl, apiKey: 'k', ...options });
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected createOpenAIProvider to throw');
  }

  /**
   * Every text the error shows (message, stack, JSON, util.inspect), after a RangeError: each
   * string here is of the right type with a wrong value (a URL of the wrong shape, a character no
   * header may hold).
   */
  function shown(options: Record<string, unknown>): string {
    const error = refusal(options);
    expect(error).toBeInstanceOf(RangeError);
    return errorTexts([error]).join('\n');
  }

  it.each([
    [`https://u:${SECRET}@api.example.com/v1\n`, 'https://[redacted]@api.example.com/v1\\n'],
    [`https://api.example.com/v1?api-key=${SECRET}\n`, 'https://api.example.com/v1?[redacted]'],
    [
      `https://api.example.com:99999/v1?api-key=${SECRET}`,
      'https://api.example.com:99999/v1?[redacted]',
    ],
    [`https://api example.com/v1?key=${SECRET}`, 'https://api example.com/v1?[redacted]'],
    [`ftp://api.example.com/v1?key=${SECRET}`, 'ftp://api.example.com/v1?[redacted]'],
    [`https://u:${SECRET}@api.example.com/v1`, 'https://[redacted]@api.example.com/v1'],
  ])('shows baseUrl %j as %j, never the secret', (value, display) => {
    const texts = shown({ baseUrl: value });
    expect(texts).toContain(`got \`"${display}"\` (string)`);
    expect(texts).not.toContain(SECRET.slice(0, 8));
  });

  it('refuses apiKey: null, naming it, rather than reading the environment key', () => {
    vi.stubEnv('OPENAI_API_KEY', SECRET);
    try {
      const error = refusal({ baseUrl: undefined, apiKey: null });
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(
        'Expected `apiKey` to be a non-empty string of HTTP header characters (no CR, LF, NUL or other control character, none above U+00FF), got `[redacted]` (null)',
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([
    ['organization', ''],
    ['project', '  '],
    ['organization', '\t'],
  ])('refuses %s %j, which would be sent as an empty header', (key, value) => {
    const error = refusal({ [key]: value });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(
      `Expected \`${key}\` to be a non-empty string, got \`${JSON.stringify(value)}\` (string)`,
    );
  });

  it('refuses an array where the options object is expected', () => {
    expect(() => createOpenAIProvider([] as never)).toThrow(
      new TypeError('Expected `options` to be an object, got `[]` (array)'),
    );
  });

  it.each([
    ['organization', 'org-\u0000'],
    ['project', 'proj-€'],
  ])('refuses %s holding a byte a header cannot hold, naming it', (key, value) => {
    expect(refusal({ [key]: value }).message).toMatch(
      new RegExp(`^Expected \`${key}\` to be a value an HTTP header can hold`),
    );
  });

  it.each([
    [{ 'x bad': '1' }, /^Expected `headers` to be an object whose keys are HTTP header names/],
    [{ 'Content-Length': '5' }, /^Expected `headers.Content-Length` to be left out/],
    [{ Connection: 'close' }, /^Expected `headers.Connection` to be left out/],
    [{ 'X-Key': 'a', 'x-key': 'b' }, /^Expected `headers.x-key` to be left out: `headers.X-Key`/],
  ])('refuses headers %j undici would refuse on every call', (headers, message) => {
    expect(refusal({ headers }).message).toMatch(message);
  });

  it('shows OPENAI_BASE_URL without its query', () => {
    vi.stubEnv('OPENAI_BASE_URL', `https://api.example.com:99999/v1?api-key=${SECRET}`);
    try {
      expect(refusal({ baseUrl: undefined }).message).toBe(
        'Expected `OPENAI_BASE_URL` to be a URL such as "https://api.openai.com/v1", got `"https://api.example.com:99999/v1?[redacted]"` (string)',
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
  ])('refuses headers %j naming the header, never its value', (headers, name) => {
    const texts = shown({ headers });
    expect(texts).toContain(
      `Expected \`headers.${name}\` to be a string of HTTP header characters (no CR, LF, NUL or other control character, none above U+00FF), got \`[redacted]\` (string)`,
    );
    expect(texts).not.toContain(SECRET.slice(0, 8));
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

describe('createOpenAIProvider apiKey and baseUrl shapes that fail every call', () => {
  const SECRET = 'SECRET-0123456789abcdef';

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** The error `createOpenAIProvider` throws for these options (it must throw). */
  function refusal(options: Record<string, unknown>): Error {
    try {
      track(createOpenAIProvider({ baseUrl, ...options }));
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected createOpenAIProvider to throw');
  }

  // (CR and LF are refused earlier, as header-splitting characters)
  it.each(['http://12\t7.0.0.1:9/v1', 'http://h:9/\tv1', 'http://h\0:9/v1'])(
    'refuses a baseUrl with a control character inside %j, which URL parsing would drop silently',
    (bad) => {
      const error = refusal({ baseUrl: bad });
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toMatch(
        /^Expected `baseUrl` to be a URL without control characters \(tab, CR, LF, NUL\.\.\.\), got /,
      );
    },
  );

  it.each(['', '   ', '\t', ' \n '])(
    'refuses a blank apiKey %j with a RangeError, as a blank organization, never showing it',
    (apiKey) => {
      const error = refusal({ apiKey });
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(
        'Expected `apiKey` to be a non-empty string, got `[redacted]` (string)',
      );
    },
  );

  it('reads a blank key variable as unset, and says so when a key is required', async () => {
    vi.stubEnv('OPENAI_API_KEY', '  ');
    expect(() => createOpenAIProvider()).toThrow(
      new TypeError(
        'Expected `apiKey` (or the OPENAI_API_KEY environment variable) to be set: OpenAI refuses calls without a key (OPENAI_API_KEY is set but blank, which reads as unset)',
      ),
    );
    // At another address no key is required: none is sent.
    const { server, provider } = await setup(
      { '/chat/completions': json(200, completion({ content: 'hi' })) },
      { apiKey: undefined },
    );
    await provider.complete(ask());
    expect(chats(server)[0]!.headers.authorization).toBeUndefined();
  });

  it.each([
    [`Bearer sk-${SECRET}`, 'Bearer'],
    [`bearer sk-${SECRET}`, 'Bearer'],
    [`BEARER\tsk-${SECRET}`, 'Bearer'],
    [`Basic ${Buffer.from(`user:${SECRET}`).toString('base64')}`, 'Basic'],
  ])('refuses an apiKey written with its scheme (%j), never showing it', (apiKey, scheme) => {
    const error = refusal({ apiKey });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(
      `Expected \`apiKey\` to be the key alone, without "${scheme} " in front (it is sent as \`Authorization: Bearer <key>\`; with \`authHeader\`, as written), got \`[redacted]\` (string)`,
    );
    expect(errorTexts([error]).join('\n')).not.toContain(SECRET.slice(0, 8));
  });

  it.each([
    ['OPENAI_API_KEY', {}],
    ['GROQ_API_KEY', { preset: 'groq' }],
  ])('refuses %s written with its scheme, naming the variable', (variable, options) => {
    vi.stubEnv(variable, `  Bearer sk-${SECRET}`);
    const error = refusal({ ...options, baseUrl: undefined });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(
      new RegExp(`^Expected \`${variable}\` to be the key alone, without "Bearer " in front`),
    );
    expect(errorTexts([error]).join('\n')).not.toContain(SECRET.slice(0, 8));
  });

  it('sends a key with a scheme word as written in the header authHeader names, and keys that only look alike', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': json(200, completion({ content: 'hi' })) },
      { apiKey: `Bearer sk-${SECRET}`, authHeader: 'Authorization' },
    );
    await provider.complete(ask());
    expect(chats(server)[0]!.headers.authorization).toBe(`Bearer sk-${SECRET}`);
    for (const apiKey of ['Bearer', 'bearer-sk-0123', 'Basically-0123', 'sk-0123 Bearer x']) {
      track(createOpenAIProvider({ baseUrl, apiKey }));
    }
  });

  it.each([
    ['http://127.0.0.1:9/v1/chat/completions', '/chat/completions', 'http://127.0.0.1:9/v1'],
    ['http://127.0.0.1:9/v1/chat/completions/', '/chat/completions', 'http://127.0.0.1:9/v1'],
    ['http://127.0.0.1:9/v1/completions', '/completions', 'http://127.0.0.1:9/v1'],
    ['http://127.0.0.1:9/v1/embeddings', '/embeddings', 'http://127.0.0.1:9/v1'],
    ['http://127.0.0.1:9/v1/models', '/models', 'http://127.0.0.1:9/v1'],
    [
      'https://api.groq.com/openai/v1/chat/completions',
      '/chat/completions',
      'https://api.groq.com/openai/v1',
    ],
    ['http://127.0.0.1:9/chat/completions', '/chat/completions', 'http://127.0.0.1:9'],
  ])('refuses baseUrl %j, showing the URL to use', (url, endpoint, use) => {
    const error = refusal({ baseUrl: url, apiKey: 'k' });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(
      `Expected \`baseUrl\` to be the API's base URL, without the endpoint each call appends (\`${endpoint}\`): use "${use}", got \`"${url}"\` (string)`,
    );
  });

  it('refuses OPENAI_BASE_URL and a preset of your own ending in an endpoint, naming each', () => {
    vi.stubEnv('OPENAI_BASE_URL', 'https://api.openai.com/v1/chat/completions');
    const fromEnv = refusal({ baseUrl: undefined, apiKey: 'k' });
    expect(fromEnv).toBeInstanceOf(RangeError);
    expect(fromEnv.message).toMatch(
      /^Expected `OPENAI_BASE_URL` to be the API's base URL, .*: use "https:\/\/api\.openai\.com\/v1"/,
    );
    const preset = { name: 'gateway', baseUrl: 'https://gw.example/v1/embeddings' };
    const ofPreset = refusal({ baseUrl: undefined, preset });
    expect(ofPreset).toBeInstanceOf(RangeError);
    expect(ofPreset.message).toMatch(
      /^Expected `preset\.baseUrl` to be the API's base URL, .*: use "https:\/\/gw\.example\/v1"/,
    );
  });

  it.each([
    ['http://127.0.0.1:9/v1', 'http://127.0.0.1:9/v1'],
    ['http://127.0.0.1:9/v1/', 'http://127.0.0.1:9/v1'],
    ['http://127.0.0.1:9/v1//', 'http://127.0.0.1:9/v1'],
    ['http://127.0.0.1:9/', 'http://127.0.0.1:9'],
    ['http://127.0.0.1:9/openai/v1/', 'http://127.0.0.1:9/openai/v1'],
    ['http://127.0.0.1:9/models-gateway/v1', 'http://127.0.0.1:9/models-gateway/v1'],
    ['http://127.0.0.1:9/v1/text-embeddings', 'http://127.0.0.1:9/v1/text-embeddings'],
    // a host named like an endpoint (a container's service name)
    ['http://embeddings/', 'http://embeddings'],
    ['http://models/v1', 'http://models/v1'],
  ])('accepts baseUrl %j as %j', (url, normalised) => {
    expect(track(createOpenAIProvider({ baseUrl: url, apiKey: 'k' })).baseUrl).toBe(normalised);
  });
});
