// Two providers with keys of their own sharing one cache, before one server that echoes the
// request's key into its answer (its text and a tool call's arguments, a JSON string on this
// wire): the caller of the provider whose key it is gets the answer as it came, the other
// provider a replay without it.
import { expectNoSecret } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { completion, MODEL } from './__fixtures__/server';
import { setup, track } from './__fixtures__/setup';
import { createOpenAIProvider } from './provider';

const KEY_A = 'sk-first-Qw7Lp2Zx8f3kd92msla0Rt';
const KEY_B = 'sk-second-Hd4Nc6Yb2Rt8Pw3Lm9Xv';

describe('an answer a server echoed the key into, in a cache shared by providers', () => {
  it('is returned as it came, and replayed to the other provider without the key', async () => {
    const { server, provider: a } = await setup(
      {
        '/chat/completions': (req, res) => {
          const key = String(req.headers.authorization).replace(/^Bearer /, '');
          const call = {
            id: 'call_1',
            type: 'function',
            function: { name: 'login', arguments: JSON.stringify({ token: key }) },
          };
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(completion({ content: `hi ${key}`, tool_calls: [call] })));
        },
      },
      { apiKey: KEY_A, cache: { strategy: 'aggressive' } },
    );
    // The cache a made, shared: a cache given to a provider is one it does not close.
    const b = track(createOpenAIProvider({ baseUrl: server.url, apiKey: KEY_B, cache: a.cache }));
    const request = { model: MODEL, messages: [{ role: 'user', content: 'echo' }], temperature: 0 };
    const fresh = await a.complete(request);
    expect(fresh.content).toBe(`hi ${KEY_A}`);
    expect(fresh.toolCalls[0]).toMatchObject({ arguments: { token: KEY_A } });
    const replayed = await b.complete(request);
    expect(replayed).toMatchObject({ cached: true, content: 'hi [redacted]' });
    expect(replayed.toolCalls[0]).toMatchObject({ arguments: { token: '[redacted]' } });
    expectNoSecret(JSON.stringify(replayed), KEY_A);
  });
});
