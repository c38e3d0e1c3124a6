// Shared test setup: a server per test, a provider on it, both closed after the test.
import { afterEach, vi } from 'vitest';
import type { OpenAIProviderOptions } from '../options';
import { createOpenAIProvider, type OpenAIProvider } from '../provider';
import type { ChatRequest, StreamChunk } from '../types';
import { type Handler, MODEL, startServer, type TestServer } from './server';

const servers: TestServer[] = [];
const providers: OpenAIProvider[] = [];

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server with `routes` (paths under `/v1`) and a provider on it, with fast retries. */
export async function setup(
  routes: Record<string, Handler | Handler[]>,
  options: OpenAIProviderOptions = {},
): Promise<{ server: TestServer; provider: OpenAIProvider }> {
  const prefixed: Record<string, Handler | Handler[]> = {};
  for (const [route, handler] of Object.entries(routes)) {
    const [method, path] = route.includes(' ') ? route.split(' ') : [undefined, route];
    prefixed[method === undefined ? `/v1${path}` : `${method} /v1${path}`] = handler;
  }
  const server = await startServer(prefixed);
  servers.push(server);
  const provider = track(
    createOpenAIProvider({
      baseUrl: server.url,
      apiKey: 'sk-test-key-for-the-local-server',
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      ...options,
    }),
  );
  return { server, provider };
}

/** Closes `provider` after the test. */
export function track(provider: OpenAIProvider): OpenAIProvider {
  providers.push(provider);
  return provider;
}

/**
 * A provider on the `openai` preset at OpenAI's own host (`baseUrl` as written), where its API's
 * limits hold: no request leaves the machine, the transport counting what would have been sent.
 */
export function atOpenAI(baseUrl = 'https://api.openai.com/v1'): {
  provider: OpenAIProvider;
  sent: () => number;
} {
  let sent = 0;
  const provider = track(
    createOpenAIProvider({
      baseUrl,
      apiKey: 'sk-test',
      retry: false,
      cache: false,
      transport: async () => {
        sent++;
        throw new Error('nothing is sent for a refused request');
      },
    }),
  );
  return { provider, sent: () => sent };
}

/** Closes `server` after the test. */
export function trackServer(server: TestServer): TestServer {
  servers.push(server);
  return server;
}

/** The chat requests a server received. */
export const chats = (server: TestServer) =>
  server.requests.filter((r) => r.path === '/v1/chat/completions');

export const ask = (content = 'Why is the sky blue?', extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: MODEL,
  messages: [{ role: 'user', content }],
  ...extra,
});

export async function collect(iterable: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}
