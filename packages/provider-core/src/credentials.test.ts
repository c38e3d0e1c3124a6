import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ask, cores, lineCore, streamed } from './__fixtures__/line-core';
import { Credentials, type GetApiKey } from './credentials';
import { createErrorKit } from './error-kit';
import { isProviderErrorOfKind } from './errors';
import { Redactor } from './secrets';

const kit = createErrorKit({ provider: 'demo', label: 'Demo' });

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('Credentials', () => {
  it('builds the same headers object once per accept when there is no key callback', () => {
    const credentials = new Credentials({
      kit,
      headers: { 'x-team': 'a' },
      apiKey: 'k1',
      getApiKey: undefined,
      auth: bearer,
      redactor: new Redactor(),
    });
    const first = credentials.fixed('application/json');
    expect(first.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      'accept-encoding': 'identity',
      'x-team': 'a',
      authorization: 'Bearer k1',
    });
    expect(credentials.fixed('application/json')).toBe(first);
  });

  it('stops waiting for a key callback that never settles when the call is aborted', async () => {
    const credentials = new Credentials({
      kit,
      headers: {},
      apiKey: undefined,
      getApiKey: () => new Promise<string>(() => {}),
      auth: bearer,
      redactor: new Redactor(),
    });
    const controller = new AbortController();
    const pending = credentials.fresh('application/json', controller.signal);
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  const fetched = (getApiKey: GetApiKey) =>
    new Credentials({
      kit,
      headers: {},
      apiKey: 'configured-key-0123456789',
      getApiKey,
      auth: bearer,
      redactor: new Redactor(),
    })
      .fresh('application/json', undefined)
      .then(
        () => {
          throw new Error('expected getApiKey() to fail the call');
        },
        (error: unknown) => error as Error,
      );

  it.each([
    ['CR and LF', 'abc\r\nx-evil: 1'],
    ['NUL', 'sk-SECRET-0123456789\0x'],
    ['a character above U+00FF', 'sk-SECRET-0123456789é€'],
    ['DEL', 'sk-SECRET-0123456789\x7f'],
  ])(
    'ends the call with a credentials error when the callback returns a key with %s',
    async (_, key) => {
      const error = await fetched(() => key);
      expect(isProviderErrorOfKind(error, 'credentials')).toBe(true);
      expect(error.message).toBe(
        'getApiKey() returned a key that cannot be sent in an HTTP header (it holds CR, LF, NUL, another control character or a character above U+00FF): nothing was sent to Demo',
      );
      expect(inspect(error) + JSON.stringify(error)).not.toContain(key.slice(0, 8));
    },
  );

  it('ends the call with a credentials error naming the type when the callback returns a number', async () => {
    const error = await fetched(() => 42 as never);
    expect(isProviderErrorOfKind(error, 'credentials')).toBe(true);
    expect(error.message).toBe(
      'getApiKey() returned number, not a string or undefined: nothing was sent to Demo',
    );
  });

  it('names what the callback threw, never its message, and keeps only its name and code', async () => {
    const secret = 'sk-live-LEAKED-0123456789';
    const vaultError = Object.assign(new Error(`vault token hvs.TOKEN-0123456789 for ${secret}`), {
      name: 'VaultError',
      code: 'ECONNREFUSED',
    });
    const error = await fetched(() => Promise.reject(vaultError));
    expect(isProviderErrorOfKind(error, 'credentials')).toBe(true);
    expect(error.message).toBe(
      'getApiKey() failed (VaultError, ECONNREFUSED): nothing was sent to Demo',
    );
    expect(error.cause).toEqual({ name: 'VaultError', code: 'ECONNREFUSED' });
    const shown = [
      inspect(error, { showHidden: true, depth: 9 }),
      JSON.stringify(error),
      error.stack,
    ];
    expect(shown.join('\n')).not.toMatch(/LEAKED|TOKEN-0123|vault token/);
  });

  it.each([
    ['a string', 'sk-live-LEAKED-0123456789', 'string'],
    [
      'an error named like a key',
      Object.assign(new Error('x'), { name: 'sk-live-LEAKED-0123456789', code: 'sk-live-LEAKED' }),
      'Error',
    ],
    ['a plain object', { message: 'sk-live-LEAKED-0123456789' }, 'object'],
  ])('shows only the type when the callback throws %s', async (_, thrown, name) => {
    const error = await fetched(() => {
      throw thrown;
    });
    expect(error.message).toBe(`getApiKey() failed (${name}): nothing was sent to Demo`);
    expect(inspect(error, { showHidden: true }) + JSON.stringify(error)).not.toContain('LEAKED');
  });

  it.each([
    ['Bearer ', 'Bearer sk-live-LEAKED-0123456789', 'Bearer'],
    ['bearer ', 'bearer sk-live-LEAKED-0123456789', 'Bearer'],
    ['BASIC ', '  BASIC dXNlcjpMRUFLRUQtMDEyMzQ1Njc4OQ==', 'Basic'],
  ])(
    'ends the call with a credentials error when the callback returns a key with %j in front, never showing it',
    async (_, key, scheme) => {
      const error = await fetched(() => key);
      expect(isProviderErrorOfKind(error, 'credentials')).toBe(true);
      expect(error.message).toBe(
        `getApiKey() returned a key with "${scheme} " in front, which the provider writes itself (return the key alone): nothing was sent to Demo`,
      );
      const shown = [inspect(error, { showHidden: true, depth: 9 }), JSON.stringify(error)];
      expect(shown.join('\n')).not.toMatch(/LEAKED|dXNlcjpMRUFLRUQ/);
    },
  );

  it.each([
    ['spaces', '   '],
    ['a tab', '\t'],
  ])('ends the call with a credentials error when the callback returns %s', async (_, key) => {
    const error = await fetched(() => key);
    expect(isProviderErrorOfKind(error, 'credentials')).toBe(true);
    expect(error.message).toBe('getApiKey() returned a blank key: nothing was sent to Demo');
  });

  it('sends a key with a scheme as written when the provider sends keys as written', async () => {
    const key = 'Basic dXNlcjpwYXNzd29yZDAxMjM0NTY3';
    const credentials = new Credentials({
      kit,
      headers: {},
      apiKey: undefined,
      getApiKey: () => key,
      auth: (k) => ({ authorization: k }),
      redactor: new Redactor(),
    });
    const { headers } = await credentials.fresh('application/json', undefined);
    expect(headers.authorization).toBe(key);
  });

  it('still reads an empty string from the callback as no key, the configured one then sent', async () => {
    const credentials = new Credentials({
      kit,
      headers: {},
      apiKey: 'configured-key-0123456789',
      getApiKey: () => '',
      auth: bearer,
      redactor: new Redactor(),
    });
    const { headers } = await credentials.fresh('application/json', undefined);
    expect(headers.authorization).toBe('Bearer configured-key-0123456789');
  });

  it('sends nothing when the callback returns a key with its scheme', async () => {
    let sent = 0;
    const core = lineCore('http://127.0.0.1:9', {
      getApiKey: async () => 'Bearer sk-live-LEAKED-0123456789',
      transport: async () => {
        sent++;
        throw new Error('nothing should be sent');
      },
    });
    const error = (await core.complete(streamed, ask).catch((e: unknown) => e)) as Error;
    expect(isProviderErrorOfKind(error, 'credentials')).toBe(true);
    expect(sent).toBe(0);
  });
});
