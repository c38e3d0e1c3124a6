import {
  itNamesOtherServicesWebPages,
  LOOPBACK_ORIGIN,
  type OtherServiceAnswer,
  otherServicesClosedAfterEach,
} from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { ask, track } from './__fixtures__/setup';
import { isOpenAIApiError, isOpenAITimeoutError } from './errors';
import { createOpenAIProvider } from './provider';

/**
 * A `baseUrl` with the port of another service: a static or web server that answers the POST with
 * its HTML error page (Python's `http.server` answers 501, nginx 405), which the message names by
 * its title instead of quoting 16 lines of escaped markup, asking whether `baseUrl` is right. The
 * pages both providers name alike are one list in `@x/internal/testing` (wrong-base-url.ts), run
 * here and in the other provider's wrong-port-answers.test.ts; this file adds an API's own JSON 501.
 */
const startOtherService = otherServicesClosedAfterEach();

async function answeredBy(answer: OtherServiceAnswer): Promise<Record<string, unknown> & Error> {
  const provider = track(
    createOpenAIProvider({
      baseUrl: `${await startOtherService(answer)}/v1`,
      apiKey: 'sk-test-key-for-the-local-server',
      retry: false,
      breaker: false,
    }),
  );
  return provider.complete(ask()).catch((e) => e);
}

describe('an answer from another service on the port', () => {
  itNamesOtherServicesWebPages(answeredBy, {
    who: '127\\.0\\.0\\.1:\\d+ /chat/completions',
    called: `${LOOPBACK_ORIGIN}/v1/chat/completions`,
    where: 'An OpenAI-compatible API sits under a version prefix',
    isApiError: isOpenAIApiError,
  });

  it("keeps an API's own JSON 501 as it said it", async () => {
    const error = await answeredBy({
      status: 501,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        error: {
          code: 501,
          message: 'This server does not support embeddings. Start it with `--embeddings`',
          type: 'not_supported_error',
        },
      }),
    });
    expect(error.message).toMatch(
      /^127\.0\.0\.1:\d+ \/chat\/completions answered 501: This server does not support embeddings\. Start it with `--embeddings`$/,
    );
  });
});

describe('a connect timeout', () => {
  it("ends with the connection error's fix: nothing answered there either", async () => {
    const provider = track(
      createOpenAIProvider({
        baseUrl: 'http://127.0.0.1:9/v1',
        apiKey: 'sk-test-key-for-the-local-server',
        retry: false,
        breaker: false,
        timeouts: { connectMs: 1234 },
        // Shaped as undici's ConnectTimeoutError, which its connector throws at the deadline.
        transport: async () => {
          throw Object.assign(new Error('Connect Timeout Error'), {
            name: 'ConnectTimeoutError',
            code: 'UND_ERR_CONNECT_TIMEOUT',
          });
        },
      }),
    );
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'connect', timeoutMs: 1234 });
    expect(error.message).toMatch(
      /^Timed out after 1234 ms waiting for connecting to .+ \(timeouts\.connectMs\)\. Check that the server is up and that `baseUrl` is its address$/,
    );
  });
});
