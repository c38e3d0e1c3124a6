// An error answer whose body never arrives whole: the exchange observer hears of it, with what
// arrived, on both readers (the built-in direct dispatch and a transport's pulled body), in
// complete() and stream(); a body read whole tells it nothing, and the call's error is unchanged.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ask, lineCore, streamed } from '../__fixtures__/line-core';
import { agent, closeCoresAndServers, servers, viaRequest } from '../__fixtures__/via-request';
import type { Transport } from '../index';

afterEach(closeCoresAndServers);
afterAll(() => agent.close());

type Answer = (res: http.ServerResponse) => void;

async function serve(answer: Answer): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A 429 whose Content-Length promises more than it sends before the socket is destroyed. */
const cut: Answer = (res) => {
  res.writeHead(429, {
    'content-type': 'application/json',
    'content-length': '500',
    'retry-after': '4',
  });
  res.write('{"error":"slow');
  setTimeout(() => res.socket?.destroy(), 10);
};
const whole: Answer = (res) => {
  res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '4' });
  res.end('{"error":"slow down"}');
};

/** Runs one call (`how`) on `transport`; returns what the observer heard and the call's error. */
async function observed(
  answer: Answer,
  transport: Transport | undefined,
  how: 'complete' | 'stream',
) {
  const url = await serve(answer);
  const heard: Array<[number, string | undefined, string]> = [];
  const core = lineCore(url, transport === undefined ? {} : { pool: false, transport }, {
    onExchange: () => (status, headers) => (arrived: string) => {
      heard.push([status, headers['retry-after'] as string | undefined, arrived]);
    },
  });
  const run =
    how === 'complete'
      ? () => core.complete(streamed, ask)
      : async () => {
          for await (const _ of core.stream(streamed, streamed.stream!, ask)) {
            // drained
          }
        };
  const error = (await run().catch((e: unknown) => e)) as { kind?: string; statusCode?: number };
  return { heard, kind: error.kind, statusCode: error.statusCode };
}

describe('ErrorBodyLost', () => {
  for (const [reader, transport] of [
    ['direct dispatch', undefined],
    ["undici's request()", viaRequest],
  ] as const) {
    for (const how of ['complete', 'stream'] as const) {
      it(`is told what arrived of a cut 429 body (${reader}, ${how}), the call ending as before`, async () => {
        const got = await observed(cut, transport, how);
        expect(got.heard).toEqual([[429, '4', '{"error":"slow']]);
        expect(got.kind).toBe('connection');
      });

      it(`is not told of a 429 body read whole (${reader}, ${how})`, async () => {
        const got = await observed(whole, transport, how);
        expect(got.heard).toEqual([]);
        expect(got.statusCode).toBe(429);
      });
    }
  }
});
