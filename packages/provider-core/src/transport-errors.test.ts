import diagnostics from 'node:diagnostics_channel';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { errorTexts, expectNoSecret, recordingLogger } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from './__fixtures__/line-core';
import { isProviderErrorOfKind, type Transport, type TransportRequestOptions } from './index';

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
});

const KEY = 'sk-Zq7xK2mP9vR4tY8wB3nL6hJ1';
const HEADER = '8f3kd92msla-Qw7Lp2Zx';
const REFUSED = 'http://127.0.0.1:9';

/** What a copy of a thrown error holds: no `config`, `request` or `options` of the client. */
const COPIED = ['name', 'code', 'cause', 'errors'];

const shown = (options: TransportRequestOptions) => JSON.stringify(options.headers);

/** What HTTP clients throw, each holding the request's credentials somewhere. */
const failures: Record<string, { code: string; fail: (o: TransportRequestOptions) => unknown }> = {
  // axios: the request config on the error, a network code
  'an axios-like network error': {
    code: 'ECONNRESET',
    fail: (o) =>
      Object.assign(new Error(`socket hang up sending ${shown(o)}`), {
        code: 'ECONNRESET',
        config: { headers: o.headers },
        request: { headers: o.headers },
      }),
  },
  // got: a code of its own, the options on the error
  'a got-like error of its own code': {
    code: 'ERR_GOT_REQUEST_ERROR',
    fail: (o) =>
      Object.assign(new Error(`request to ${shown(o)} failed`), {
        code: 'ERR_GOT_REQUEST_ERROR',
        options: { headers: o.headers },
      }),
  },
  'a TypeError quoting the header, its cause the headers': {
    code: 'TypeError',
    fail: (o) =>
      new TypeError(`bad ${o.headers.authorization}`, { cause: new Error(`inner ${shown(o)}`) }),
  },
  'a thrown string': { code: 'string', fail: (o) => `string ${shown(o)}` },
};

/** A core over `transport`, and everything it lets out: events, logs, breaker channel messages. */
function watched(transport: Transport, options: { getApiKey?: () => string } = {}) {
  const seen: unknown[] = [];
  const onChannel = (message: unknown) => seen.push(message);
  const channels = ['x:breaker:failure', 'x:breaker:state-change', 'x:provider-demo:error'];
  for (const name of channels) diagnostics.subscribe(name, onChannel);
  const log = recordingLogger();
  const core = lineCore(REFUSED, {
    ...(options.getApiKey === undefined ? { apiKey: KEY } : options),
    headers: { 'x-proxy-token': HEADER },
    transport,
    logger: log.logger,
    breaker: { failureThreshold: 1 },
  });
  core.on('error', (event) => seen.push(event));
  const outputs = () => {
    for (const name of channels) diagnostics.unsubscribe(name, onChannel);
    return inspect([seen, log.entries], { depth: 10 });
  };
  return { core, outputs };
}

describe('ProviderCore with a custom transport that throws', () => {
  for (const [name, { code, fail }] of Object.entries(failures)) {
    it(`ends the call in the connection error, holding a scrubbed copy of it: ${name}`, async () => {
      let thrown: unknown;
      const { core, outputs } = watched(async (_url, options) => {
        thrown = fail(options);
        throw thrown;
      });
      const error = await core.complete(streamed, ask).catch((e: unknown) => e);
      expect(isProviderErrorOfKind(error, 'connection')).toBe(true);
      const { causeCode, cause } = error as { causeCode: string; cause: Error & { code?: string } };
      expect(causeCode).toBe(code);
      expect(cause).not.toBe(thrown);
      expect(cause).toBeInstanceOf(Error);
      expect(cause.code).toBe(code === 'TypeError' || code === 'string' ? undefined : code);
      expect(Object.keys(cause).filter((key) => !COPIED.includes(key))).toEqual([]);
      // what a user debugging the transport needs: its message, scrubbed, and where it was thrown
      expect(cause.message).toContain('[redacted]');
      if (thrown instanceof Error) expect(cause.stack).toContain('transport-errors.test.ts');
      const everything = [...errorTexts([error]), outputs()].join('\n');
      expectNoSecret(everything, KEY);
      expectNoSecret(everything, HEADER);
    });
  }

  it("scrubs the key a key callback handed out, the cause's cause and an aggregate's errors", async () => {
    const fresh = 'sk-fresh-4Hq8Nw2Lp6Tz9Rb3Xc7Vm';
    const { core, outputs } = watched(
      async (_url, options) => {
        const inner = new AggregateError(
          [new Error(`first ${shown(options)}`), new Error('second')],
          `all failed: ${options.headers.authorization}`,
        );
        throw Object.assign(new Error('fetch failed', { cause: inner }), { request: options });
      },
      { getApiKey: () => fresh },
    );
    const error = (await core.complete(streamed, ask).catch((e: unknown) => e)) as Error;
    expect(isProviderErrorOfKind(error, 'connection')).toBe(true);
    const cause = error.cause as Error & { cause: Error & { errors: Error[] } };
    expect(cause.message).toBe('fetch failed');
    expect(cause.cause.message).toBe('all failed: Bearer [redacted]');
    expect(cause.cause.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('[redacted]'),
      'second',
    ]);
    const everything = [...errorTexts([error]), inspect(error, { depth: 10 }), outputs()];
    expectNoSecret(everything.join('\n'), fresh);
    expectNoSecret(everything.join('\n'), HEADER);
  });

  it('ends a body that fails midway in the incomplete-stream error, holding a scrubbed copy', async () => {
    for (const streaming of [false, true]) {
      const { core, outputs } = watched(async (_url, options) => ({
        statusCode: 200,
        headers: { 'content-type': 'application/x-ndjson' },
        body: Readable.from(
          (async function* () {
            yield Buffer.from('{"delta":"Hel"}\n');
            throw Object.assign(new Error(`stream broke under ${shown(options)}`), {
              config: { headers: options.headers },
            });
          })(),
        ),
      }));
      const error = streaming
        ? await (async () => {
            for await (const _ of core.stream(streamed, streamed.stream!, ask)) {
              // read on to the failure
            }
          })().catch((e: unknown) => e)
        : await core.complete(streamed, ask).catch((e: unknown) => e);
      expect(isProviderErrorOfKind(error, 'incomplete-stream'), String(streaming)).toBe(true);
      const { cause } = error as { cause: object };
      expect(Object.keys(cause).filter((key) => !COPIED.includes(key))).toEqual([]);
      const everything = [...errorTexts([error]), outputs()].join('\n');
      expectNoSecret(everything, KEY);
      expectNoSecret(everything, HEADER);
    }
  });
});
