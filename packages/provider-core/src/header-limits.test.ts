// The bound on the caller's request headers (`headers` and the key together, 32 KiB): past it a
// server or proxy refuses every call with a 400 or 431 naming no option, so it is refused before
// anything is sent, naming the option and the bound, never showing a value (it may be a secret).

import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from './__fixtures__/line-core';
import { Credentials } from './credentials';
import { createErrorKit } from './error-kit';
import { isProviderErrorOfKind } from './errors';
import { validateHeaders } from './index';
import { Redactor } from './secrets';

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
});

const BOUND = /at most 32768 characters .*servers and proxies refuse larger request headers/;

/** The error `run` throws: a header's value is a secret, so its text must not show it. */
function refusal(run: () => unknown, secret: string): RangeError {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RangeError);
  expect(inspect(error)).not.toContain(secret.slice(0, 16));
  return error as RangeError;
}

describe('the bound on request headers', () => {
  it('refuses one header of megabytes, naming it and the bound', () => {
    const value = `SECRET-${'a'.repeat(5_000_000)}`;
    const { message } = refusal(() => validateHeaders({ 'x-a': value }), value);
    expect(message).toMatch(/^Expected `headers\.x-a` to be at most 32768 characters/);
    expect(message).toMatch(BOUND);
    expect(message).toContain('got `[redacted]` (string)');
  });

  it('refuses headers over the bound together as `headers`, and takes them exactly at it', () => {
    const value = `SECRET-${'b'.repeat(10_000)}`;
    const four = { 'x-a': value, 'x-b': value, 'x-c': value, 'x-d': value };
    const { message } = refusal(() => validateHeaders(four), value);
    expect(message).toMatch(/^Expected `headers` to be at most 32768 characters/);
    const fits = { 'x-a': value, 'x-b': value, 'x-c': 'c'.repeat(32 * 1024 - 2 * 10_010 - 3) };
    expect(Object.keys(validateHeaders(fits))).toEqual(['x-a', 'x-b', 'x-c']);
  });

  it('refuses an apiKey that does not fit with the headers, never showing it', () => {
    const key = `sk-SECRET-${'k'.repeat(2_000_000)}`;
    const { message } = refusal(() => lineCore('http://127.0.0.1:9', { apiKey: key }), key);
    expect(message).toMatch(/^Expected `apiKey` to be at most 32768 characters with .*`headers`/);
    expect(message).toContain('got `[redacted]` (string)');
    const short = `sk-SECRET-${'k'.repeat(20_000)}`;
    const headers = { 'x-team': 't'.repeat(20_000) };
    refusal(() => lineCore('http://127.0.0.1:9', { apiKey: short, headers }), short);
    expect(() => lineCore('http://127.0.0.1:9', { apiKey: short })).not.toThrow();
  });

  it('ends a call whose getApiKey() returns a key of megabytes, sending nothing', async () => {
    const key = `sk-SECRET-${'k'.repeat(5_000_000)}`;
    let sent = 0;
    const core = lineCore('http://127.0.0.1:9', {
      getApiKey: () => key,
      transport: async () => {
        sent++;
        throw new Error('nothing should be sent');
      },
    });
    const error = (await core.complete(streamed, ask).catch((e: unknown) => e)) as Error;
    expect(isProviderErrorOfKind(error, 'credentials')).toBe(true);
    expect(error.message).toBe(
      'getApiKey() returned a key too long to send: with `headers`, over the 32768 characters of request headers servers and proxies take: nothing was sent to Demo',
    );
    expect(inspect(error) + JSON.stringify(error)).not.toContain('SECRET');
    expect(sent).toBe(0);
  });

  it("counts the headers against a callback's key", async () => {
    const credentials = (headers: Record<string, string>) =>
      new Credentials({
        kit: createErrorKit({ provider: 'demo', label: 'Demo' }),
        headers,
        apiKey: undefined,
        getApiKey: () => 'k'.repeat(20_000),
        auth: (key) => ({ authorization: `Bearer ${key}` }),
        redactor: new Redactor(),
      }).fresh('application/json', undefined);
    await expect(credentials({})).resolves.toBeDefined();
    const error = await credentials({ 'x-team': 't'.repeat(20_000) }).catch((e: unknown) => e);
    expect(isProviderErrorOfKind(error, 'credentials')).toBe(true);
  });
});
