// What answers on the service's address but is not its answer over HTTP: bytes of another
// protocol, or a body a proxy compressed. Each ends at once in OpenAIProtocolError, never retried
// (a server that answered may have started generating), with nothing of the answer in it.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { errorBody, type Handler, MODEL, streamOf } from './__fixtures__/server';
import { chats, collect, setup } from './__fixtures__/setup';
import {
  isOpenAIConnectionError,
  isOpenAIError,
  isOpenAIProtocolError,
  isServerBusyError,
  OpenAIProtocolError,
} from './errors';
import type { ChatRequest } from './types';

const ask: ChatRequest = { model: MODEL, messages: [{ role: 'user', content: 'hi' }] };
const retryTwice = { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } };

describe('an answer that is not HTTP', () => {
  it('ends in OpenAIProtocolError naming the preset, sent once, when a status line is followed by broken headers', async () => {
    const { server, provider } = await setup(
      {
        '/chat/completions': (_req, res) => {
          res.socket!.end('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\x00\x01\r\n\r\n');
        },
      },
      { preset: 'groq', ...retryTwice },
    );
    const origin = new URL(server.url).origin;
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAIProtocolError);
    expect(isOpenAIProtocolError(error) && isOpenAIError(error)).toBe(true);
    expect(isOpenAIConnectionError(error)).toBe(false);
    const { causeCode } = error as OpenAIProtocolError;
    expect(causeCode).toMatch(/^HPE_/);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_PROTOCOL',
      kind: 'protocol',
      retryable: false,
      origin,
      message: `Groq at ${origin} answered with something that is not valid HTTP (${causeCode}): is another service listening on that port, or a proxy in between altering the answer?`,
    });
    expect(chats(server)).toHaveLength(1);
    expect(provider.stats()).toMatchObject({ attempts: 1, retries: 0, failures: 1 });
  });
});

describe('an encoded answer', () => {
  const gzipped: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
    res.end(gzipSync(streamOf('Hel', 'lo').join('')));
  };

  it('asks for identity, and refuses a gzip-encoded stream at its headers, sent once', async () => {
    const { server, provider } = await setup({ '/chat/completions': gzipped }, retryTwice);
    const origin = new URL(server.url).origin;
    for (const call of [() => provider.complete(ask), () => collect(provider.stream(ask))]) {
      const error = await call().catch((e: unknown) => e);
      expect(isOpenAIProtocolError(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'X_PROVIDER_OPENAI_PROTOCOL',
        causeCode: 'CONTENT_ENCODING',
        contentEncoding: 'gzip',
        retryable: false,
      });
      expect((error as Error).message).toBe(
        `${new URL(origin).host} at ${origin} answered with a body in Content-Encoding "gzip" (CONTENT_ENCODING), though the request asked for identity: is a proxy in between compressing answers? It must pass them on unencoded`,
      );
    }
    expect(chats(server).map((r) => r.headers['accept-encoding'])).toEqual([
      'identity',
      'identity',
    ]);
  });

  it('refuses a body gzipped in Transfer-Encoding (gzip, chunked) at its headers, no binary in its message', async () => {
    const { server, provider } = await setup(
      {
        '/chat/completions': (_req, res) => {
          // Written by hand: Node's own writer would chunk it but never gzip it.
          const body = gzipSync(streamOf('Hel', 'lo').join(''));
          res.socket!.end(
            Buffer.concat([
              Buffer.from(
                `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n`,
              ),
              body,
              Buffer.from('\r\n0\r\n\r\n'),
            ]),
          );
        },
      },
      retryTwice,
    );
    const origin = new URL(server.url).origin;
    for (const call of [() => provider.complete(ask), () => collect(provider.stream(ask))]) {
      const error = await call().catch((e: unknown) => e);
      expect(isOpenAIProtocolError(error)).toBe(true);
      expect(error).toMatchObject({
        causeCode: 'CONTENT_ENCODING',
        contentEncoding: 'gzip, chunked',
      });
      expect((error as Error).message).toBe(
        `${new URL(origin).host} at ${origin} answered with a body in Transfer-Encoding "gzip, chunked" (CONTENT_ENCODING), which the request did not ask for: is a proxy in between compressing answers? It must pass them on unencoded`,
      );
    }
    expect(chats(server)).toHaveLength(2);
  });

  it('names the headers, not a proxy, when they asked for an encoding themselves', async () => {
    const { provider } = await setup(
      { '/chat/completions': gzipped },
      { headers: { 'accept-encoding': 'gzip' } },
    );
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(isOpenAIProtocolError(error)).toBe(true);
    expect((error as Error).message).toContain(
      'which the provider does not decode: the accept-encoding of your headers allows it',
    );
  });

  it('reports a gzip-encoded error answer by its status, with no binary in its message', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': (_req, res) => {
          res.writeHead(503, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(gzipSync(errorBody('The engine is currently overloaded', 'server_error')));
        },
      },
      { retry: false },
    );
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(isServerBusyError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('health() when the answer is not HTTP', () => {
  it('reports the server reached but unhealthy, not unreachable', async () => {
    const { provider } = await setup({
      '/models': (_req, res) => {
        res.socket!.end('SSH-2.0-OpenSSH_9.6\r\n');
      },
    });
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'unhealthy', reachable: true });
    expect(report.reasons.join(' ')).toMatch(/not valid HTTP/);
    expect(report.reasons.join(' ')).not.toMatch(/unreachable/);
  });
});
