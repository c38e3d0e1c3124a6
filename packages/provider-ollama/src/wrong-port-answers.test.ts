import {
  baseUrlQuestion,
  itNamesOtherServicesWebPages,
  LOOPBACK_ORIGIN,
  type OtherServiceAnswer,
  otherServicesClosedAfterEach,
} from '@x/internal/testing';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { ask, destroyedAfterEach } from './__fixtures__/server';
import { isOllamaApiError, isOllamaTimeoutError } from './errors';
import { createOllamaProvider } from './provider';

/**
 * A `baseUrl` with the port of another service: a static or web server that answers the POST with
 * its HTML error page (Python's `http.server` answers 501, nginx 405), which the message names by
 * its title instead of quoting 16 lines of escaped markup, asking whether `baseUrl` is right. The
 * pages both providers name alike are one list in `@x/internal/testing` (wrong-base-url.ts), run
 * here and in the other provider's wrong-port-answers.test.ts; this file adds a plain-text 405.
 */
const { providers } = destroyedAfterEach();
const startOtherService = otherServicesClosedAfterEach();

async function answeredBy(answer: OtherServiceAnswer): Promise<Record<string, unknown> & Error> {
  const baseUrl = await startOtherService(answer);
  const provider = createOllamaProvider({ baseUrl, retry: false, breaker: false, tokens: false });
  providers.push(provider);
  return provider.complete(ask()).catch((e) => e);
}

describe('an answer from another service on the port', () => {
  itNamesOtherServicesWebPages(answeredBy, {
    who: 'Ollama /api/\\w+',
    called: `${LOOPBACK_ORIGIN}/api/\\w+`,
    where: "Ollama's API is at the server's root",
    isApiError: isOllamaApiError,
  });

  it('asks about baseUrl for a plain-text 405', async () => {
    const error = await answeredBy({
      status: 405,
      headers: { 'content-type': 'text/plain' },
      body: 'Method Not Allowed\n',
    });
    expect(error.message).toMatch(
      /^Ollama \/api\/\w+ answered 405 \(Method Not Allowed\): the server there does not take POST /,
    );
    expect(error.message).toMatch(baseUrlQuestion("Ollama's API is at the server's root"));
  });
});

describe('a connect timeout', () => {
  it('ends with how to start Ollama or point at it, as a refused connection does', async () => {
    const provider = createOllamaProvider({
      baseUrl: 'http://127.0.0.1:9',
      tokens: false,
      breaker: false,
      retry: false,
      timeouts: { connectMs: 1234 },
      // undici's own error, as its connector throws it when the connect deadline fires.
      transport: async () => {
        throw new errors.ConnectTimeoutError();
      },
    });
    providers.push(provider);
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'connect', timeoutMs: 1234 });
    expect(error.message).toBe(
      'Timed out after 1234 ms waiting for connecting to Ollama (timeouts.connectMs). Is Ollama running? Start it with `ollama serve`, or set `baseUrl` (or OLLAMA_HOST) to where it listens',
    );
  });
});
