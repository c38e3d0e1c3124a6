import { inspect } from 'node:util';
import {
  errorTexts,
  expectNoSecret,
  startEchoSecrets,
  startRouteServer,
  watchOutputs,
} from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { hostileSetup } from './__fixtures__/server';
import { isOllamaError } from './errors';
import { createOllamaProvider } from './provider';
import type { ChatRequest } from './types';

const { against, providers, servers } = hostileSetup();

const ask: ChatRequest = { model: 'hostile', messages: [{ role: 'user', content: 'hi' }] };

describe('a server that echoes secrets', () => {
  it.each([401, 500])(
    'leaves no secret, in any encoding, in errors, partials, events, stats or inspect output (%i)',
    async (status) => {
      const key = 'sk-live/abc+def=123';
      const header = 'tok-9f8e7d6c5b';
      const { provider } = await against(() => startEchoSecrets({ status }), {
        apiKey: key,
        headers: { 'x-api-key': header },
        retry: false,
      });
      const seen: unknown[] = [];
      provider.onError((event) => seen.push(event));
      provider.onRetry((event) => seen.push(event));
      const error = await provider.complete(ask).catch((e: unknown) => e);
      expect(isOllamaError(error)).toBe(true);
      const everything = [
        inspect(error, { depth: 10 }),
        JSON.stringify(error),
        String((error as Error).message),
        JSON.stringify(seen),
        JSON.stringify(provider.stats()),
        provider.toPrometheus(),
      ].join('\n');
      // raw, URL-encoded, and inside base64, base64url or hex at any alignment: the server echoes
      // `Bearer <key>` whole, whose base64 does not contain the key's own
      for (const secret of [key, header]) expectNoSecret(everything, secret);
    },
  );
});
it('scrubs a key the answer encodes inside the whole Authorization value, or shows in part', async () => {
  const key = 'sk-proj-SUPERSECRET0123456789abcdefXYZ';
  // each built from the header the server received, as a proxy would echo it
  const echoes = [
    (auth: string) => Buffer.from(auth).toString('base64'),
    (auth: string) => Buffer.from(`user:${auth.slice('Bearer '.length)}`).toString('base64'),
    (auth: string) => Buffer.from(auth).toString('hex'),
    (auth: string) => `${auth.slice('Bearer '.length, 'Bearer '.length + 20)}…`,
  ];
  let answered = 0;
  const server = await startRouteServer({
    '/api/chat': (req, res) => {
      const echo = echoes[answered++ % echoes.length]!(String(req.headers.authorization));
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `invalid credentials: ${echo}` }));
    },
  });
  servers.push(server);
  const provider = createOllamaProvider({
    baseUrl: server.url,
    apiKey: key,
    tokens: false,
    retry: false,
    breaker: false,
  });
  providers.push(provider);
  const outputs = watchOutputs(provider, 'provider-ollama');
  const errors: unknown[] = [];
  try {
    for (let i = 0; i < echoes.length; i++) {
      errors.push(await provider.complete(ask).catch((e: unknown) => e));
    }
  } finally {
    outputs.stop();
  }
  expect(answered).toBe(echoes.length);
  for (const error of errors) {
    expect((error as Error).message).toMatch(
      /^Ollama \/api\/chat answered 500: invalid credentials: /,
    );
    expectNoSecret([...errorTexts([error])].join('\n'), key);
  }
  expectNoSecret(JSON.stringify(outputs.seen), key);
});
