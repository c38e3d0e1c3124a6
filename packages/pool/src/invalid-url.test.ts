import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useServersAndPools } from './__fixtures__/servers';

// A url or options that cannot be sent: a rejection naming them, and no credential in it.

const { pool } = useServersAndPools();

describe('createPool', () => {
  it('rejects, without throwing, with a TypeError naming url or options when either is invalid', async () => {
    const p = pool();
    const invalid = p.request('not a url');
    await expect(invalid).rejects.toThrow(TypeError);
    await expect(invalid).rejects.toThrow(
      'Expected `url` to be an absolute http: or https: URL, got `"not a url"` (string)',
    );
    await expect(p.request('ftp://example.test/')).rejects.toThrow(
      'Expected `url` to be an absolute http: or https: URL, got `"ftp://example.test/"` (string)',
    );
    await expect(p.request(42 as never)).rejects.toThrow(
      'Expected `url` to be a URL string or a URL object, got `42` (number)',
    );
    await expect(p.request('http://127.0.0.1:1/', 'GET' as never)).rejects.toThrow(
      new TypeError(
        'Expected `options` to be an object of undici\'s request options, got `"GET"` (string)',
      ),
    );
    expect(p.stats().requestsServed).toBe(0);
  });

  it('rejects an array or null where options go, as it rejects any non-object', async () => {
    const p = pool();
    await expect(p.request('http://127.0.0.1:1/', [] as never)).rejects.toThrow(
      new TypeError(
        "Expected `options` to be an object of undici's request options, got `[]` (array)",
      ),
    );
    await expect(p.request('http://127.0.0.1:1/', null as never)).rejects.toThrow(
      new TypeError(
        "Expected `options` to be an object of undici's request options, got `null` (null)",
      ),
    );
    expect(p.stats().requestsServed).toBe(0);
  });

  it('rejects an unknown option key, naming the closest known one, before anything is sent', async () => {
    const p = pool();
    const hint = (key: string, near: string) =>
      new TypeError(`Unknown option \`options.${key}\`: did you mean \`options.${near}\`?`);
    for (const [key, near] of [
      ['timeout', 'headersTimeout'],
      ['timeoutMs', 'headersTimeout'],
      ['mehtod', 'method'],
      ['bodyTimeoutMs', 'bodyTimeout'],
    ] as const) {
      await expect(p.request('http://127.0.0.1:1/', { [key]: 1 } as never)).rejects.toThrow(
        hint(key, near),
      );
    }
    // the pool is the dispatcher: one given is no option of a pool's request
    await expect(p.request('http://127.0.0.1:1/', { dispatcher: {} } as never)).rejects.toThrow(
      /^Unknown option `options.dispatcher`/,
    );
    expect(p.stats().requestsServed).toBe(0);
  });

  it('never shows the password of an invalid URL in its error', async () => {
    const p = pool();
    const errors = await Promise.all(
      [
        'ftp://user:s3cr3t@example.test/',
        'http://user:s3/cr#3t@exa mple.test/',
        new URL('ftp://user:s3cr3t@example.test/'),
      ].map((url) =>
        p.request(url).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    for (const error of errors) {
      expect(error).toBeInstanceOf(TypeError);
      // A `#` before the last `@` may end the userinfo or start the fragment: nothing is shown.
      expect(inspect(error)).toContain('[redacted]');
      expect(inspect(error)).not.toMatch(/s3cr3t|s3\/cr/);
    }
  });

  it('never shows the query of an invalid or refused URL in its error', async () => {
    const p = pool();
    const errors = await Promise.all(
      [
        'http://h:99999/?api_key=S3CR3T-VALUE',
        'ftp://example.test/?token=S3CR3T-VALUE#S3CR3T-VALUE',
        new URL('ftp://example.test/?sig=S3CR3T-VALUE'),
      ].map((url) => p.request(url).catch((error: unknown) => error)),
    );
    for (const error of errors) {
      expect(error).toBeInstanceOf(TypeError);
      expect(inspect(error)).toContain('?[redacted]');
      expect(inspect(error)).not.toContain('S3CR3T');
    }
    expect((errors[0] as Error).message).toBe(
      'Expected `url` to be an absolute http: or https: URL, got `"http://h:99999/?[redacted]"` (string)',
    );
  });
});
