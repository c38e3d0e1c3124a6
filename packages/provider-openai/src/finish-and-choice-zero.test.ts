import { describe, expect, it } from 'vitest';
import {
  chunk,
  completion,
  DONE,
  type Handler,
  json,
  sse,
  usageChunk,
} from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import { isOpenAIStreamError, isOpenAITimeoutError } from './errors';

/** Writes `first`, then `next` every 20 ms for as long as the connection stays open. */
function repeating(first: string[], next: string): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const text of first) res.write(text);
    const timer = setInterval(() => res.write(next), 20);
    res.on('close', () => clearInterval(timer));
  };
}

/** A finish event in another key order than chunk()'s: read through JSON.parse, not the regex. */
const bareFinish = (finish: string) =>
  `data: {"choices":[{"index":0,"delta":{},"finish_reason":${JSON.stringify(finish)}}]}\n\n`;

// The first token gets 5 s: on a loaded machine a short first-token deadline could fire first.
const idle = { firstTokenMs: 5_000, idleMs: 300 };

describe('a finish reason repeated forever without [DONE] is no progress (real clock)', () => {
  const cases: Array<[string, string]> = [
    ['the same finish reason, in the common event shape', chunk({}, 'stop')],
    ['the same finish reason, in another key order', bareFinish('stop')],
    ['an empty finish reason', bareFinish('')],
    ['an empty finish reason, in the common event shape', chunk({}, '')],
  ];
  for (const [name, repeated] of cases) {
    it(`ends complete() and stream() at the idle deadline: ${name}`, async () => {
      const { provider } = await setup(
        { '/chat/completions': repeating([chunk({ content: 'Hi' })], repeated) },
        { timeouts: idle, retry: false, cache: false },
      );
      const runs = [() => provider.complete(ask()), () => collect(provider.stream(ask()))];
      for (const run of runs) {
        const started = performance.now();
        const error = await run().catch((e: unknown) => e);
        expect(isOpenAITimeoutError(error)).toBe(true);
        expect(error).toMatchObject({ timeout: 'idle', partial: { content: 'Hi' } });
        // Generous: the deadline is 300 ms; before the fix the call never ended.
        expect(performance.now() - started).toBeLessThan(4_000);
      }
    }, 15_000);
  }

  it('still counts a finish reason that changes, and completes at [DONE]', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': sse([
          chunk({ content: 'Hi' }),
          bareFinish(''),
          chunk({}, 'stop'),
          usageChunk(),
          DONE,
        ]),
      },
      { retry: false, cache: false },
    );
    const answer = await provider.complete(ask());
    expect(answer).toMatchObject({ content: 'Hi', finishReason: 'stop' });
  });
});

describe('an answer in which no event held choice 0', () => {
  const other = (delta: Record<string, unknown>, finish: string | null = null) => {
    const event = JSON.parse(chunk(delta, finish).slice('data: '.length));
    event.choices[0].index = 1;
    return `data: ${JSON.stringify(event)}\n\n`;
  };
  const cases: Array<[string, string[]]> = [
    ['only `choices: []` events', [chunk({}, null, { choices: [] }), usageChunk(), DONE]],
    ['only index-1 choices', [other({ content: 'a' }), other({}, 'stop'), usageChunk(), DONE]],
  ];
  for (const [name, events] of cases) {
    it(`is an OpenAIStreamError (invalid-json) at [DONE], never an empty answer, nor cached: ${name}`, async () => {
      const { server, provider } = await setup(
        { '/chat/completions': sse(events) },
        { retry: false },
      );
      for (const run of [() => provider.complete(ask()), () => collect(provider.stream(ask()))]) {
        for (let i = 0; i < 2; i++) {
          const error = await run().catch((e: unknown) => e);
          expect(isOpenAIStreamError(error)).toBe(true);
          expect(error).toMatchObject({ reason: 'invalid-json' });
          expect((error as Error).message).toContain('not a chat completion');
        }
      }
      expect(chats(server)).toHaveLength(4);
    });
  }

  it('is the same error for a whole answer holding only an index-1 choice', async () => {
    const body = completion({ content: 'Hello' }) as { choices: Array<{ index: number }> };
    body.choices[0]!.index = 1;
    const { provider } = await setup(
      { '/chat/completions': json(200, body) },
      { retry: false, completeAs: 'whole' },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'invalid-json' });
    expect((error as Error).message).toContain('not a chat completion');
  });

  it("reads Azure's answer: a first event with `choices: []` and prompt_filter_results, then choice 0", async () => {
    const filter = {
      choices: [],
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
    };
    const { provider } = await setup(
      {
        '/chat/completions': sse([
          `data: ${JSON.stringify(filter)}\n\n`,
          chunk({ role: 'assistant', content: '' }),
          chunk({ content: 'Hello' }),
          chunk({}, 'stop'),
          DONE,
        ]),
      },
      { retry: false, cache: false },
    );
    const answer = await provider.complete(ask());
    expect(answer).toMatchObject({ content: 'Hello', finishReason: 'stop' });
    const streamed = await collect(provider.stream(ask()));
    expect(streamed.map((c) => c.content).join('')).toBe('Hello');
  });
});
