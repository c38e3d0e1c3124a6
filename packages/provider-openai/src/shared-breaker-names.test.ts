import { createBreaker } from '@x/breaker';
import { describe, expect, it } from 'vitest';
import { errorBody, json, startServer } from './__fixtures__/server';
import { ask, chats, track, trackServer } from './__fixtures__/setup';
import { isCircuitOpenError } from './errors';
import { createOpenAIProvider } from './provider';

// Two presets of this package are one kind (`openai`): a breaker given to both refused one for
// the other's failure as if the failure were its own. The refusal names the other by its name.
describe('CircuitOpenError of a breaker two presets share', () => {
  it('names the preset whose call failed, and its own failure as its own', async () => {
    const server = trackServer(
      await startServer({
        '/v1/chat/completions': json(500, errorBody('The server had an error', 'server_error')),
      }),
    );
    const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 60_000 });
    const options = {
      baseUrl: server.url,
      apiKey: 'sk-test-0123456789abcdef',
      retry: false as const,
    };
    const groq = track(createOpenAIProvider({ ...options, preset: 'groq', breaker }));
    const openai = track(createOpenAIProvider({ ...options, preset: 'openai', breaker }));
    const failure = await groq.complete(ask()).catch((e: unknown) => e);
    expect(failure).toMatchObject({ provider: 'openai', statusCode: 500 });
    const refused = await openai.complete(ask()).catch((e: unknown) => e);
    expect(isCircuitOpenError(refused)).toBe(true);
    expect((refused as Error).message).toMatch(
      / call refused: the circuit breaker it shares is open \(breaker shared with the groq provider, last failure there: Groq /,
    );
    const own = await groq.complete(ask()).catch((e: unknown) => e);
    expect((own as Error).message).toMatch(
      /^Groq is failing: the circuit breaker is open \(last failure: Groq /,
    );
    // Only the first call was sent: both refusals were the breaker's.
    expect(chats(server)).toHaveLength(1);
  }, 30_000);
});
