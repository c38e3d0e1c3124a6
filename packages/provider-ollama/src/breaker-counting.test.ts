import { type Handler, startRouteServer } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { isOllamaStreamError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest } from './types';

const servers: Array<{ close(): Promise<unknown> }> = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const ask: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const TOKEN =
  '{"model":"m","created_at":"t","message":{"role":"assistant","content":"a"},"done":false}\n';

/** One token, then a last line that is not JSON, ending in `ending`. */
function unreadable(ending: string): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(`${TOKEN}{"model":"m","message":{"con${ending}`);
  };
}

describe('the breaker and an unreadable last line', () => {
  for (const read of ['complete', 'stream'] as const) {
    for (const [ending, name] of [
      ['\n', 'ending in a newline'],
      ['', 'without its newline'],
    ] as const) {
      it(`counts it as the server's failure when it is ${name} (${read})`, async () => {
        const server = await startRouteServer({ '/api/chat': unreadable(ending) });
        servers.push(server);
        const provider = createOllamaProvider({
          baseUrl: server.url,
          tokens: false,
          retry: false,
          breaker: { failureThreshold: 1 },
        });
        providers.push(provider);
        const error = await (read === 'complete'
          ? provider.complete(ask)
          : (async () => {
              for await (const _ of provider.stream(ask));
            })()
        ).catch((e: unknown) => e);
        expect(isOllamaStreamError(error)).toBe(true);
        expect(error).toMatchObject({ reason: 'invalid-json' });
        expect(provider.breaker?.state).toBe('open');
      });
    }
  }
});

describe('the breaker and an unreadable whole answer', () => {
  const notJson: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"model":"m","message":{"con');
  };

  for (const [name, call] of [
    ["complete() with completeAs: 'whole'", (p: OllamaProvider) => p.complete(ask)],
    ['embed()', (p: OllamaProvider) => p.embed({ model: 'm', input: 'hi' })],
  ] as const) {
    it(`counts it as the server's failure (${name})`, async () => {
      const server = await startRouteServer({ '/api/chat': notJson, '/api/embed': notJson });
      servers.push(server);
      const provider = createOllamaProvider({
        baseUrl: server.url,
        tokens: false,
        retry: false,
        completeAs: 'whole',
        breaker: { failureThreshold: 1 },
      });
      providers.push(provider);
      const error = await call(provider).catch((e: unknown) => e);
      expect(isOllamaStreamError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'invalid-json' });
      expect(provider.breaker?.state).toBe('open');
    });
  }
});
