import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ask, lineCore, streamed } from '../__fixtures__/line-core';
import { agent, closeCoresAndServers, viaRequest } from '../__fixtures__/via-request';
import type { BaseChatRequest, BaseChatResponse, Operation, Transport } from '../index';

afterEach(closeCoresAndServers);
afterAll(() => agent.close());

/** The line API's answer read whole (`stream: false`), as a `completeAs: 'whole'` call reads it. */
const whole: Operation<BaseChatRequest, BaseChatResponse> = { ...streamed, stream: undefined };

const HEAD =
  'HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n';
const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

/** What follows one good chunk: framing HTTP/1.1 forbids, then the socket is left open. */
const broken: Record<string, string> = {
  'a chunk size that is not hex': 'zz\r\n',
  'a chunk longer than its size': '3\r\nabcdef\r\n0\r\n\r\n',
  'a chunk without its CRLF': '3\r\nabc0\r\n\r\n',
};

const sockets = new Set<net.Socket>();
const rawServers: net.Server[] = [];
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(rawServers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/**
 * A raw server: once a request's headers and body are in, writes `answer` (strings in turn, a
 * tick apart, so that the first chunk is read before what breaks). Counts requests.
 */
async function rawServer(answer: string[], then: 'open' | 'close' = 'open') {
  const seen = { requests: 0, url: '' };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let text = '';
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = Number(/content-length: *(\d+)/i.exec(text)?.[1] ?? 0);
      if (end < 0 || text.length < end + 4 + length) return;
      text = '';
      seen.requests++;
      void (async () => {
        for (const part of answer) {
          socket.write(part);
          await new Promise((r) => setTimeout(r, 20));
        }
        if (then === 'close') socket.end();
      })();
    });
    socket.on('error', () => {});
  });
  rawServers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  seen.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return seen;
}

const transports: Record<string, Transport | undefined> = {
  'the built-in transport': undefined,
  'a custom transport': viaRequest,
};

function core(url: string, transport: Transport | undefined) {
  return lineCore(url, {
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    ...(transport === undefined ? {} : { pool: false, transport }),
  });
}

/** The protocol error of a body whose framing broke after what `content` says arrived. */
const protocolError = (url: string, content: string, chunks: number) => ({
  name: 'ProviderProtocolError',
  kind: 'protocol',
  code: 'X_PROVIDER_DEMO_PROTOCOL',
  retryable: false,
  origin: url,
  causeCode: expect.stringMatching(/^HPE_/),
  message: expect.stringContaining('in the middle of its answer'),
  partial: expect.objectContaining({ content, chunks }),
});

describe('an answer whose chunked framing breaks in its body', () => {
  for (const [framing, tail] of Object.entries(broken)) {
    for (const [via, transport] of Object.entries(transports)) {
      it(`ends a streamed call with the protocol error, what arrived kept, for ${framing} (${via})`, async () => {
        const server = await rawServer([HEAD + chunk('{"delta":"Hel"}\n'), tail]);
        const provider = core(server.url, transport);
        const got: string[] = [];
        const error = await (async () => {
          for await (const part of provider.stream(streamed, streamed.stream!, ask)) {
            if (part.content !== undefined) got.push(part.content);
          }
        })().catch((e: unknown) => e);
        expect(got).toEqual(['Hel']);
        expect(error).toMatchObject(protocolError(server.url, 'Hel', 1));
        expect(server.requests).toBe(1);
      });

      it(`ends a buffered stream with the protocol error, never retried, for ${framing} (${via})`, async () => {
        const server = await rawServer([HEAD + chunk('{"delta":"Hel"}\n'), tail]);
        const error = await core(server.url, transport)
          .complete(streamed, ask)
          .catch((e: unknown) => e);
        expect(error).toMatchObject(protocolError(server.url, 'Hel', 1));
        expect(server.requests).toBe(1);
      });

      it(`ends an answer read whole with the protocol error, for ${framing} (${via})`, async () => {
        const server = await rawServer([HEAD + chunk('{"text":"Hel'), tail]);
        const provider = core(server.url, transport);
        const error = await provider.complete(whole, ask).catch((e: unknown) => e);
        expect(error).toMatchObject(protocolError(server.url, '', 0));
        expect(server.requests).toBe(1);
        expect(provider.stats()).toMatchObject({ inFlight: 0 });
      });
    }
  }

  it('keeps a body cut by the socket closing an incomplete stream', async () => {
    const server = await rawServer([HEAD + chunk('{"delta":"Hel"}\n')], 'close');
    for (const transport of Object.values(transports)) {
      const error = await core(server.url, transport)
        .complete(streamed, ask)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        kind: 'incomplete-stream',
        partial: expect.objectContaining({ content: 'Hel' }),
      });
    }
  });
});
