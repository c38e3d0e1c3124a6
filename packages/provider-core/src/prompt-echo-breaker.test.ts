import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  chat,
  echoProvider,
  PROMPT,
  type Refusal,
  startEchoServer,
} from './__fixtures__/prompt-echo-server';
import { agent, viaRequest } from './__fixtures__/via-request';
import { type CoreOptions, createErrorKit } from './index';
import { EMPTY_PARTIAL } from './types';

// What a failure quotes of the call's request is replaced inside the attempt, before the breaker
// publishes the failure (`x:breaker:failure`), whichever reader failed: the breaker's gate pays no
// hop of its own for it. A call outside the answer path (a model create's progress) too.

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});
afterAll(() => agent.close());

let names = 0;
async function providerFor(refuse: Refusal, options: CoreOptions) {
  const server = await startEchoServer(refuse);
  cleanup.push(() => server.close());
  const p = echoProvider(server.url, {
    ...options,
    breaker: { name: `echo-breaker-${names++}`, failureThreshold: 5 },
  });
  cleanup.push(() => p.core.close());
  return p;
}

/** The messages of the failures the breaker published while `run` ran, as they were then. */
async function published(run: () => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  const onFailure = (event: unknown) => {
    out.push(String((event as { error: Error }).error.message));
  };
  subscribe('x:breaker:failure', onFailure);
  try {
    await run().then(
      () => expect.unreachable('the call should fail'),
      () => {},
    );
  } finally {
    unsubscribe('x:breaker:failure', onFailure);
  }
  return out;
}

const quoted = (content: string) => `could not process prompt ${JSON.stringify(content)}`;
/** A status that quotes the prompt. */
const status503: Refusal = ({ messages }) => ({
  status: 503,
  type: 'application/json',
  body: JSON.stringify({ error: quoted(messages[1]!.content) }),
});
/** A stream that fails with an error line quoting the prompt. */
const errorLine: Refusal = ({ messages }) => ({
  status: 200,
  type: 'application/x-ndjson',
  body: `${JSON.stringify({ delta: 'Sure' })}\n${JSON.stringify({ error: quoted(messages[1]!.content) })}\n`,
});

const drain = async (it: AsyncIterable<unknown>) => {
  for await (const _ of it);
};

describe.each([
  ['the built-in transport', {}],
  ['a custom transport', { pool: false, transport: viaRequest }],
] as const)('over %s, the breaker publishes no prompt text', (_name, transport) => {
  it.each([
    ['complete(), read whole, an error status', status503, 'complete'],
    ['complete(), read as a stream, an error status', status503, 'completeStreamed'],
    ['complete(), read as a stream, an error line', errorLine, 'completeStreamed'],
    ['stream(), an error status', status503, 'stream'],
    ['stream(), an error line', errorLine, 'stream'],
  ] as const)('%s', async (_case, refuse, call) => {
    const p = await providerFor(refuse, transport);
    const told = await published(() =>
      call === 'stream' ? drain(p.stream(chat())) : p[call](chat()),
    );
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('[prompt]');
    expect(told[0]).not.toContain(PROMPT.slice(0, 30));
  });

  it('a streamed call outside the answer path (its payload is the request)', async () => {
    const p = await providerFor(status503, transport);
    const kit = createErrorKit({ provider: 'reply', label: 'Reply' });
    const progress = p.core.messages({
      endpoint: '/v1/create',
      method: 'POST',
      payload: chat(),
      model: 'm',
      signal: undefined,
      format: { framing: 'ndjson', accept: 'application/x-ndjson' },
      breaker: true,
      parse: (message, redact) => {
        const line = JSON.parse(message.data);
        if (typeof line.error !== 'string') return line;
        throw kit.stream({
          reason: 'server-error',
          serverMessage: redact(line.error),
          partial: EMPTY_PARTIAL,
        });
      },
    });
    let failure: unknown;
    const told = await published(() =>
      drain(progress).catch((error: unknown) => {
        failure = error;
        throw error;
      }),
    );
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('[prompt]');
    expect(told[0]).not.toContain(PROMPT.slice(0, 30));
    expect((failure as Error).message).toContain('[prompt]');
    expect((failure as Error).message).not.toContain(PROMPT.slice(0, 30));
  });
});
