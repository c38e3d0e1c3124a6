import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorTexts } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from './__fixtures__/line-core';
import { validateHeaders } from './index';

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

/** A server that refuses every request, quoting the headers it was sent. */
async function echoingServer(): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' });
    const { 'x-password': password, 'x-api-key': key, cookie } = req.headers;
    res.end(
      JSON.stringify({ error: `rejected: password=${password} key=${key} cookie=${cookie}` }),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('headers named like a credential', () => {
  it('scrubs a value of 4 to 7 characters from what a server echoes', async () => {
    const core = lineCore(await echoingServer(), {
      headers: { 'X-Password': 'hunter2', 'x-api-key': 'k9Z2x7q', cookie: 'sid=ab' },
    });
    const error = await core.complete(streamed, ask).catch((e: unknown) => e);
    expect((error as Error).message).toContain(
      'rejected: password=[redacted] key=[redacted] cookie=[redacted]',
    );
    for (const text of errorTexts([error])) {
      for (const value of ['hunter2', 'k9Z2x7q', 'sid=ab']) expect(text).not.toContain(value);
    }
  });

  it('refuses a credential too short to scrub, naming the header, never showing it', () => {
    const basic = `Basic ${Buffer.from('bob:pw').toString('base64')}`;
    const refused: Record<string, string> = {
      'x-api-key': 'k9Z',
      'X-Password': '1',
      authorization: 'Token Ab3',
      Authorization: 'Bearer xy',
      'proxy-authorization': basic,
    };
    for (const [name, value] of Object.entries(refused)) {
      let error: unknown;
      try {
        validateHeaders({ [name]: value });
      } catch (e) {
        error = e;
      }
      // A string of the right type with a wrong value: a RangeError (CONTRIBUTING, Options and errors).
      expect(error, name).toBeInstanceOf(RangeError);
      const { message } = error as RangeError;
      expect(message).toMatch(
        new RegExp(`^Expected \`headers\\.${name}\` to be a credential of at least 4 characters`),
      );
      expect(message).toContain('got `[redacted]` (string)');
      expect(message.replace(`headers.${name}`, '')).not.toContain(value === basic ? 'pw' : value);
    }
  });

  it('accepts an empty value under such a name, and a short one under any other name', () => {
    expect(validateHeaders({ 'x-api-key': '', 'x-team': 'a', 'x-auth-token': 'abcd' })).toEqual({
      'x-api-key': '',
      'x-team': 'a',
      'x-auth-token': 'abcd',
    });
  });
});
