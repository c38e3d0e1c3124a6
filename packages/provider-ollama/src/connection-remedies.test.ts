import net from 'node:net';
import { nothingListening, refusedWording } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isCircuitOpenError,
  isOllamaConnectionError,
  isOllamaProtocolError,
  type OllamaError,
} from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';

// What a first run meets when Ollama is not where the provider looks: each message says what to do.

const REMEDY =
  'Is Ollama running? Start it with `ollama serve`, or set `baseUrl` (or OLLAMA_HOST) to where it listens';
const ask = { model: 'llama3.2', messages: [{ role: 'user' as const, content: 'Hi' }] };

const providers: OllamaProvider[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function track(provider: OllamaProvider): OllamaProvider {
  providers.push(provider);
  return provider;
}

/** A TCP server that is not HTTP: `reply` runs on the first bytes of the request. */
async function rawServer(reply: (socket: net.Socket) => void): Promise<string> {
  const server = net.createServer((socket) => socket.once('data', () => reply(socket)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** A provider at a port nothing listens on, whose breaker opens at its first failure. */
async function openedByOneRefusal(): Promise<{ port: number; provider: OllamaProvider }> {
  const { port, url } = await nothingListening();
  const provider = track(
    createOllamaProvider({
      baseUrl: url,
      retry: false,
      breaker: { failureThreshold: 1, openTimeoutMs: 60_000 },
    }),
  );
  return { port, provider };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('expected a failure'),
    (e: unknown) => e as OllamaError,
  );

describe('connection errors end with what to do', () => {
  it('ends a refused connection with how to start Ollama or point at it', async () => {
    const { url } = await nothingListening();
    const provider = track(createOllamaProvider({ baseUrl: url, retry: false }));
    const error = await failure(provider.complete(ask));
    expect(isOllamaConnectionError(error)).toBe(true);
    expect(error.message).toBe(refusedWording('Ollama', url, REMEDY));
    expect(error).toMatchObject({
      causeCode: 'ECONNREFUSED',
      code: 'X_PROVIDER_OLLAMA_CONNECTION',
    });
  });

  it('says a server that closed without an HTTP answer was reached, and may be another service', async () => {
    // As Redis does with an HTTP request: it reads `POST`... and hangs up without a word.
    const url = await rawServer((socket) => socket.destroy());
    const provider = track(createOllamaProvider({ baseUrl: url, retry: false }));
    const error = await failure(provider.complete(ask));
    expect(isOllamaConnectionError(error)).toBe(true);
    expect(error).toMatchObject({
      causeCode: 'UND_ERR_SOCKET',
      code: 'X_PROVIDER_OLLAMA_CONNECTION',
    });
    expect(error.message).toBe(
      `The server at ${url} closed the connection without an HTTP answer (UND_ERR_SOCKET). If this repeats, another service may be listening on that port (not an HTTP server): check \`baseUrl\` (or OLLAMA_HOST)`,
    );
    expect(error.message).not.toContain('Could not reach');
  });

  it('calls a Redis-style `-ERR` reply not HTTP, never a server it could not reach', async () => {
    const url = await rawServer((socket) => socket.end('-ERR unknown command\r\n'));
    const provider = track(createOllamaProvider({ baseUrl: url, retry: false }));
    const error = await failure(provider.complete(ask));
    expect(isOllamaProtocolError(error)).toBe(true);
    expect(error.message).toMatch(/not valid HTTP .*another service listening on that port/);
    expect(error.message).not.toContain('Could not reach');
  });
});

describe('an open breaker names the failure that opened it', () => {
  it('quotes the last failure and keeps it as lastFailure', async () => {
    const { port, provider } = await openedByOneRefusal();
    const first = await failure(provider.complete(ask));
    const refused = await failure(provider.complete(ask));
    expect(isCircuitOpenError(refused)).toBe(true);
    expect(refused.message).toMatch(
      new RegExp(
        `^Ollama is failing: the circuit breaker is open \\(last failure: Could not reach Ollama at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\)\\. Retry after \\d+ ms$`,
      ),
    );
    expect((refused as OllamaError & { lastFailure?: unknown }).lastFailure).toBe(first);
    // The breaker's own error stays the cause.
    expect(refused.cause).toMatchObject({ code: 'X_BREAKER_OPEN' });
  });

  it('quotes no failure after the breaker closed again', async () => {
    const { provider } = await openedByOneRefusal();
    await failure(provider.complete(ask));
    provider.breaker?.close();
    provider.breaker?.open();
    const refused = await failure(provider.complete(ask));
    expect(isCircuitOpenError(refused)).toBe(true);
    expect(refused.message).not.toContain('last failure');
    expect((refused as OllamaError & { lastFailure?: unknown }).lastFailure).toBeUndefined();
  });
});
