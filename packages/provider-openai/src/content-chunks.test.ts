// An answer whose `content` is a list of chunks rather than a string: Mistral's reasoning models
// (Magistral, and Mistral Small/Medium with `reasoning_effort`) write their thinking as a
// `{ type: 'thinking', thinking: [TextChunk | ReferenceChunk], closed? }` chunk before the answer's
// `{ type: 'text', text }` chunks (Mistral's OpenAPI: ThinkChunk, TextChunk, ReferenceChunk), whole
// and in a stream's `delta.content`. Read on every preset; the thinking goes back to Mistral as
// the chunk it came as.
import { describe, expect, it } from 'vitest';
import {
  chunk,
  completion,
  DONE,
  json,
  sse,
  type TestServer,
  usageChunk,
} from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import { PRESET_NAMES } from './presets';

const thinkingChunk = (...texts: string[]) => ({
  type: 'thinking',
  thinking: texts.map((text) => ({ type: 'text', text })),
});

/** A Magistral answer, whole: its thinking, a reference and its text, in chunks. */
const magistral = json(
  200,
  completion({
    content: [
      { ...thinkingChunk('Reasoning', '...'), closed: true },
      { type: 'reference', reference_ids: [1, 2] },
      { type: 'text', text: 'The answer' },
      { type: 'text', text: ' is 42.' },
    ],
  }),
);

/** A Magistral answer, streamed: thinking chunks in lists, then text in a list and as strings. */
const magistralStream = sse([
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: [thinkingChunk('Reason')] }),
  chunk({ content: [thinkingChunk('ing', '...')] }),
  chunk({ content: [{ ...thinkingChunk(), closed: true }] }),
  chunk({ content: [{ type: 'text', text: 'The answer' }] }),
  chunk({ content: ' is 42.' }),
  chunk({}, 'stop'),
  usageChunk(),
  DONE,
]);

describe('content as a list of chunks', () => {
  it.each(PRESET_NAMES.map((p) => [p]))(
    'is read by %s whole: the text chunks as content, the thinking as thinking',
    async (preset) => {
      const { provider } = await setup(
        { '/chat/completions': magistral },
        { preset, apiKey: 'sk-test', completeAs: 'whole', cache: false },
      );
      const answer = await provider.complete(ask());
      expect(answer.content).toBe('The answer is 42.');
      expect(answer.thinking).toBe('Reasoning...');
      expect(answer.message).toEqual({
        role: 'assistant',
        content: 'The answer is 42.',
        thinking: 'Reasoning...',
      });
    },
  );

  it('is read from a stream, chunk by chunk, and joined into the response', async () => {
    const { provider } = await setup(
      { '/chat/completions': magistralStream },
      { preset: 'mistral', apiKey: 'sk-test' },
    );
    const chunks = await collect(provider.stream(ask()));
    const pieces = chunks.filter((c) => !c.done).map((c) => [c.content, c.thinking]);
    expect(pieces).toEqual([
      ['', 'Reason'],
      ['', 'ing...'],
      ['The answer', undefined],
      [' is 42.', undefined],
    ]);
    expect(chunks.at(-1)!.response).toMatchObject({
      content: 'The answer is 42.',
      thinking: 'Reasoning...',
      finishReason: 'stop',
    });
  });

  it('is read by complete() over a stream too', async () => {
    const { provider } = await setup(
      { '/chat/completions': magistralStream },
      { preset: 'mistral', apiKey: 'sk-test', completeAs: 'stream' },
    );
    const answer = await provider.complete(ask());
    expect(answer).toMatchObject({ content: 'The answer is 42.', thinking: 'Reasoning...' });
  });

  it('ignores chunks of unknown types and malformed items, whole and streamed', async () => {
    const odd = [
      null,
      42,
      'loose',
      { type: 'image_url', image_url: 'https://x.test/a.png' },
      { type: 'thinking', thinking: 'not a list' },
      { type: 'thinking', thinking: [null, { type: 'reference', reference_ids: [3] }] },
      { type: 'text', text: 7 },
      { type: 'text', text: 'ok' },
    ];
    const whole = await setup(
      { '/chat/completions': json(200, completion({ content: odd })) },
      { preset: 'mistral', apiKey: 'sk-test', completeAs: 'whole' },
    );
    const answer = await whole.provider.complete(ask());
    expect(answer.content).toBe('ok');
    expect(answer.thinking).toBeUndefined();
    const streamed = await setup(
      {
        '/chat/completions': sse([
          chunk({ role: 'assistant', content: [] }),
          chunk({ content: odd }),
          chunk({}, 'stop'),
          usageChunk(),
          DONE,
        ]),
      },
      { preset: 'mistral', apiKey: 'sk-test' },
    );
    const chunks = await collect(streamed.provider.stream(ask()));
    expect(chunks.at(-1)!.response).toMatchObject({ content: 'ok', thinking: undefined });
  });

  it('keeps reasoning_content over thinking chunks when a server sends both', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': json(
          200,
          completion({
            content: [thinkingChunk('chunked'), { type: 'text', text: 'A' }],
            reasoning_content: 'field',
          }),
        ),
      },
      { preset: 'vllm', completeAs: 'whole' },
    );
    expect(await provider.complete(ask())).toMatchObject({ content: 'A', thinking: 'field' });
  });
});

/** The messages of the first chat request `server` received. */
const sent = (server: TestServer) =>
  chats(server)[0]!.json!.messages as Array<Record<string, unknown>>;

describe("an assistant turn's thinking, to Mistral", () => {
  it('goes back as a closed thinking chunk before the text, as Mistral asks of reasoning models', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': magistral },
      { preset: 'mistral', apiKey: 'sk-test', completeAs: 'whole' },
    );
    const first = await provider.complete(ask('17 * 23?'));
    await provider.complete(
      ask('', {
        messages: [
          { role: 'user', content: '17 * 23?' },
          first.message,
          { role: 'user', content: 'Times 3?' },
        ],
      }),
    );
    expect(chats(server)[1]!.json!.messages).toEqual([
      { role: 'user', content: '17 * 23?' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: [{ type: 'text', text: 'Reasoning...' }], closed: true },
          { type: 'text', text: 'The answer is 42.' },
        ],
      },
      { role: 'user', content: 'Times 3?' },
    ]);
  });

  it('goes back alone on a turn that only called tools', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': magistral },
      { preset: 'mistral', apiKey: 'sk-test', completeAs: 'whole' },
    );
    await provider.complete({
      model: 'magistral-medium-latest',
      messages: [
        { role: 'user', content: 'time?' },
        {
          role: 'assistant',
          content: '',
          thinking: 'Use the clock.',
          toolCalls: [{ id: 'c1', name: 'clock', arguments: {} }],
        },
        { role: 'tool', content: '12:00', toolCallId: 'c1' },
      ],
    });
    expect(sent(server)[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: [{ type: 'text', text: 'Use the clock.' }], closed: true },
      ],
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'clock', arguments: '{}' } }],
    });
  });

  it('leaves a turn without thinking as it was', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': magistral },
      { preset: 'mistral', apiKey: 'sk-test', completeAs: 'whole' },
    );
    await provider.complete(
      ask('', {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
          { role: 'user', content: 'bye' },
        ],
      }),
    );
    expect(sent(server)[1]).toEqual({ role: 'assistant', content: 'hello' });
  });
});
