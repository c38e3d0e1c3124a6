import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { SpanStatusCode } from '@opentelemetry/api';
import { recordingLogger } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { providersOf, sdk as sdkOf } from './__fixtures__/otel-sdk';
import {
  chat,
  echoProvider,
  fastApi422,
  PROMPT,
  pyRepr,
  type Refusal,
  startEchoServer,
} from './__fixtures__/prompt-echo-server';
import type { CoreOptions } from './index';

// A server that refuses a call may quote the call's own request in its error. That quote must not
// reach the error, and from it the events, logs and span that record no prompt text.

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function providerFor(refuse: Refusal, options: CoreOptions = {}) {
  const server = await startEchoServer(refuse);
  cleanup.push(() => server.close());
  const p = echoProvider(server.url, options);
  cleanup.push(() => p.core.close());
  return p;
}

/** What the call failed with. */
async function failure(call: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error & Record<string, unknown>;
}

/** Asserts that no run of 16 characters of `secret` (the prompt) is in `text`, as written. */
function expectNoRunOf(text: string, secret: string) {
  for (let i = 0; i + 16 <= secret.length; i++) {
    expect(text, `holds ${JSON.stringify(secret.slice(i, i + 16))}`).not.toContain(
      secret.slice(i, i + 16),
    );
  }
}

/** Every text a failed call's error shows, escapes decoded the ways a reader could. */
function shown(error: Error & Record<string, unknown>): string {
  const texts = [error.message, String(error.serverMessage ?? ''), error.stack ?? ''];
  // the partial answer is the model's output, left as it came
  const json = JSON.stringify(error, (key, value) => (key === 'partial' ? undefined : value));
  const unescaped = texts.map((t) =>
    t
      .replace(/\\\\/g, '\\')
      .replace(/\\n/g, '\n')
      .replace(/\\"/g, '"')
      .replace(/\\'/g, "'")
      .replace(/\\\\/g, '\\')
      .replace(/\\n/g, '\n')
      .replace(/\\"/g, '"')
      .replace(/\\'/g, "'"),
  );
  return [...texts, json, ...unescaped].join('\n');
}

describe('a server quoting the request in its error', () => {
  it.each([
    ['complete()', {}, false],
    ['complete() without a breaker', { breaker: false }, false],
    ['complete() of an answer read as a stream', {}, true],
  ] as const)(
    "FastAPI's 422 quoting the whole message, %s: it becomes [prompt]",
    async (_, options, streamed) => {
      const p = await providerFor(fastApi422, options);
      const error = await failure((streamed ? p.completeStreamed : p.complete)(chat()));
      expect(error.statusCode).toBe(422);
      expectNoRunOf(shown(error), PROMPT);
      expect(error.serverMessage).toContain('"content":"[prompt]"');
      // the server's own words stay
      expect(error.serverMessage).toContain('Input should be a valid string');
      expect(error.serverMessage).toContain('"role":"user"');
    },
  );

  it("pydantic's cut input_value (repr escapes, in a JSON body): both halves replaced", async () => {
    const p = await providerFor(({ messages }) => {
      const content = messages[1]!.content;
      const cutForm = `${content.slice(0, 25)}...${content.slice(-24)}`;
      return {
        status: 422,
        type: 'application/json',
        body: JSON.stringify({
          detail: `1 validation error for ChatRequest\nmessages.1.content\n  String should have at most 64 characters [type=string_too_long, input_value=${pyRepr(cutForm)}, input_type=str]`,
        }),
      };
    });
    const error = await failure(p.complete(chat()));
    expectNoRunOf(shown(error), PROMPT.slice(0, 25));
    expectNoRunOf(shown(error), PROMPT.slice(-24));
    expect(error.serverMessage).toContain("input_value='[prompt]...[prompt]'");
    expect(error.serverMessage).toContain('[type=string_too_long');
  });

  it('an echo with its newlines and quotes JSON-escaped, in a text body', async () => {
    const p = await providerFor(({ messages }) => ({
      status: 400,
      type: 'text/plain',
      body: `context length exceeded (8192 tokens) for input ${JSON.stringify(messages[1]!.content)}`,
    }));
    const error = await failure(p.complete(chat()));
    expectNoRunOf(shown(error), PROMPT);
    expect(error.serverMessage).toBe('context length exceeded (8192 tokens) for input "[prompt]"');
  });

  it('a streamed error line quoting the prompt; the partial answer is left as it came', async () => {
    const p = await providerFor(({ messages }) => {
      const content = messages[1]!.content;
      return {
        status: 200,
        type: 'application/x-ndjson',
        body: `${JSON.stringify({ delta: `You asked: ${content}` })}\n${JSON.stringify({
          error: `generation failed while reading prompt ${JSON.stringify(content)}: out of memory`,
        })}\n`,
      };
    });
    const error = await failure(
      (async () => {
        for await (const _ of p.stream(chat()));
      })(),
    );
    expect(error.reason).toBe('server-error');
    expectNoRunOf(shown(error), PROMPT);
    expect(error.message).toBe(
      'Reply stream failed: generation failed while reading prompt "[prompt]": out of memory',
    );
    // the model's output, which the caller may want
    expect((error.partial as { content: string }).content).toBe(`You asked: ${PROMPT}`);
  });

  it('a prompt of 1 MB with a short echo from its middle', async () => {
    const words = Array.from({ length: 200_000 }, (_, i) => `w${(i * 7919) % 100_003}`);
    const big = words.join(' ').slice(0, 1 << 20);
    const echo = big.slice(500_000, 500_040);
    const p = await providerFor(() => ({
      status: 400,
      type: 'application/json',
      body: JSON.stringify({ error: `prompt too long near "${echo}"` }),
    }));
    const error = await failure(p.complete(chat(big)));
    expect(error.serverMessage).toBe('prompt too long near "[prompt]"');
    expect(error.message).not.toContain(echo.slice(10, 30));
  });

  it('an error that quotes nothing of the request is left as it was', async () => {
    const said = 'model is overloaded, please retry in a few seconds (queue full: 64 waiting)';
    const p = await providerFor(() => ({
      status: 400,
      type: 'application/json',
      body: JSON.stringify({ error: said }),
    }));
    const error = await failure(p.complete(chat()));
    expect(error.serverMessage).toBe(said);
    expect(error.message).toBe(`Reply /v1/reply answered 400: ${said}`);
  });

  it('the span status, the error, retry and breaker events and the logs carry no prompt text', async () => {
    const otel = sdkOf(cleanup);
    const { logger, entries } = recordingLogger();
    const p = await providerFor(
      ({ messages }) => ({
        status: 503,
        type: 'application/json',
        body: JSON.stringify({ error: `overloaded while handling ${JSON.stringify(messages)}` }),
      }),
      {
        telemetry: providersOf(otel),
        logger,
        retry: { retries: 1, baseDelayMs: 1, budget: false },
        breaker: { name: 'echo-b', failureThreshold: 5 },
      },
    );
    const events: unknown[] = [];
    p.core.on('error', (e) => events.push(e));
    p.core.on('retry', (e) => events.push(e));
    // what the breaker published, as it was then (the error is scrubbed in place)
    const published: string[] = [];
    const onFailure = (event: unknown) => {
      published.push(String((event as { error: Error }).error.message));
    };
    subscribe('x:breaker:failure', onFailure);
    cleanup.push(() => unsubscribe('x:breaker:failure', onFailure));
    const error = await failure(p.complete(chat()));
    expect(error.message).toContain('[prompt]');
    const [span] = otel.spans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.status.message).toContain('[prompt]');
    expect(events).toHaveLength(2);
    expect(published).toHaveLength(2);
    const told = [
      span!.status.message ?? '',
      JSON.stringify(events),
      JSON.stringify(entries),
      ...published,
    ];
    for (const text of told) {
      expectNoRunOf(text, PROMPT);
      expectNoRunOf(text, chat().messages[0]!.content);
    }
    expect(JSON.stringify(events)).toContain('[prompt]');
  });
});
