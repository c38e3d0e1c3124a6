import { afterEach, describe, expect, it, vi } from 'vitest';
import { Credentials } from './credentials';
import { Redactor } from './secrets';

afterEach(() => {
  vi.useRealTimers();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('Credentials', () => {
  it('builds the same headers object once per accept when there is no key callback', () => {
    const credentials = new Credentials({
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

  it('refuses a key with CR or LF from the callback, before anything is sent', async () => {
    const credentials = new Credentials({
      headers: {},
      apiKey: undefined,
      getApiKey: () => 'abc\r\nx-evil: 1',
      auth: bearer,
      redactor: new Redactor(),
    });
    await expect(credentials.fresh('application/json', undefined)).rejects.toThrow(TypeError);
  });
});
