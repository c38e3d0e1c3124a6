// A spoken answer (`modalities: ['text', 'audio']` in `extraBody`): `ChatResponse.audio` from the
// whole answer's `message.audio` or a stream's `delta.audio` pieces, its pieces counted as
// progress by the idle deadline, and its id sent back with the turn (`audio: { id }`).
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
import type { OpenAIChatMessage } from './types';

const spoken = {
  extraBody: { modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } },
};
const ID = 'audio_6c1a0f9e2b';
const EXPIRES = 1_764_118_800;

/** The pieces OpenAI streams: the id first, then data and transcript, the expiry last. */
const pieces = [
  chunk({ role: 'assistant', content: null, refusal: null }),
  chunk({ audio: { id: ID, transcript: 'Hel' } }),
  chunk({ audio: { data: 'UklG' } }),
  chunk({ audio: { data: 'RiQA', transcript: 'lo' } }),
  chunk({ audio: { expires_at: EXPIRES } }),
  chunk({}, 'stop'),
  usageChunk(),
  DONE,
];

describe('ChatResponse.audio', () => {
  it("joins a stream's audio pieces, and the answer's message carries the audio's id", async () => {
    const { server, provider } = await setup({ '/chat/completions': sse(pieces) });
    const chunks = await collect(provider.stream(ask('Say hello', spoken)));
    const { response } = chunks.at(-1)!;
    expect(response?.audio).toEqual({
      id: ID,
      data: 'UklGRiQA',
      transcript: 'Hello',
      expiresAt: EXPIRES,
    });
    expect(response?.message).toEqual({ role: 'assistant', content: '', audio: { id: ID } });
    expect(chats(server)[0]!.json).toMatchObject({
      modalities: ['text', 'audio'],
      audio: { voice: 'alloy', format: 'wav' },
    });
  });

  it('hands each delta.audio piece to the stream caller as chunk.audio, in order', async () => {
    const { provider } = await setup({
      '/chat/completions': sse([
        chunk({ role: 'assistant', content: null, refusal: null }),
        chunk({ audio: { id: ID, transcript: 'Hel' } }),
        chunk({ audio: { data: 'UklG' } }),
        chunk({ content: 'x', audio: { data: 'RiQA', transcript: 'lo' } }),
        chunk({ audio: null }),
        chunk({ audio: {} }),
        chunk({ audio: { expires_at: EXPIRES } }),
        chunk({}, 'stop'),
        usageChunk(),
        DONE,
      ]),
    });
    const chunks = await collect(provider.stream(ask('Say hello', spoken)));
    const pieces = chunks.filter((c) => !c.done).map((c) => [c.content, c.audio]);
    expect(pieces).toEqual([
      ['', { id: ID, data: '', transcript: 'Hel', expiresAt: undefined }],
      ['', { id: undefined, data: 'UklG', transcript: '', expiresAt: undefined }],
      ['x', { id: undefined, data: 'RiQA', transcript: 'lo', expiresAt: undefined }],
      ['', { id: undefined, data: '', transcript: '', expiresAt: EXPIRES }],
    ]);
    // The pieces joined are the answer's audio, as before.
    expect(chunks.at(-1)?.response?.audio).toEqual({
      id: ID,
      data: 'UklGRiQA',
      transcript: 'Hello',
      expiresAt: EXPIRES,
    });
  });

  it('leaves chunk.audio off the chunks of an answer without audio', async () => {
    const { provider } = await setup({
      '/chat/completions': sse([chunk({ content: 'hi' }), chunk({}, 'stop'), usageChunk(), DONE]),
    });
    const chunks = await collect(provider.stream(ask('Hi')));
    expect(chunks[0]).toMatchObject({ content: 'hi' });
    expect(chunks[0]).not.toHaveProperty('audio');
  });

  it("reads a whole answer's message.audio, and is undefined for an answer without audio", async () => {
    const { provider } = await setup(
      {
        '/chat/completions': [
          json(
            200,
            completion({
              content: null,
              audio: { id: ID, data: 'UklGRiQA', transcript: 'Hello', expires_at: EXPIRES },
            }),
          ),
          json(200, completion({ content: 'hi' })),
        ],
      },
      { completeAs: 'whole', cache: false },
    );
    const answer = await provider.complete(ask('Say hello', spoken));
    expect(answer.audio).toEqual({
      id: ID,
      data: 'UklGRiQA',
      transcript: 'Hello',
      expiresAt: EXPIRES,
    });
    expect(answer.message.audio).toEqual({ id: ID });
    const plain = await provider.complete(ask('Hi'));
    expect(plain.audio).toBeUndefined();
    expect(plain.message).not.toHaveProperty('audio');
  });

  it("sends a pushed-back answer's audio as { id }, its empty text as null", async () => {
    const { server, provider } = await setup(
      { '/chat/completions': sse(pieces) },
      { cache: false },
    );
    const first = ask('Say hello', spoken);
    const answer = await provider.complete(first);
    await provider.complete({
      ...first,
      messages: [...first.messages, answer.message, { role: 'user', content: 'Again' }],
    });
    expect((chats(server)[1]!.json as { messages: unknown[] }).messages[1]).toEqual({
      role: 'assistant',
      content: null,
      audio: { id: ID },
    });
  });

  it('refuses a malformed audio reference before sending', async () => {
    const { server, provider } = await setup({ '/chat/completions': sse(pieces) });
    const on = (audio: unknown) =>
      provider.complete(
        ask('Hi', {
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: '', audio } as unknown as OpenAIChatMessage,
          ],
        }),
      );
    await expect(on({ id: 7 })).rejects.toThrow(
      new TypeError('Expected `request.messages[1].audio.id` to be a string, got `7` (number)'),
    );
    await expect(on({ id: '' })).rejects.toBeInstanceOf(RangeError);
    await expect(on({ id: ID, data: 'UklG' })).rejects.toThrow(
      /`request.messages\[1\].audio.data`/,
    );
    await expect(on('audio_1')).rejects.toThrow(/`request.messages\[1\].audio`/);
    expect(chats(server)).toHaveLength(0);
  });
});

/** Writes `first`, then `next(i)` every 20 ms until it returns undefined (then ends). */
function paced(first: string[], next: (i: number) => string | undefined): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const text of first) res.write(text);
    let i = 0;
    const timer = setInterval(() => {
      const text = next(i++);
      if (text === undefined) {
        clearInterval(timer);
        res.end();
      } else res.write(text);
    }, 20);
    res.on('close', () => clearInterval(timer));
  };
}

describe('timeouts against audio pieces (real clock: the server paces events)', () => {
  it('counts audio pieces as progress: 30 of them outlast firstTokenMs without a timeout', async () => {
    const steps = [
      ...Array.from({ length: 30 }, (_, i) =>
        chunk({ audio: i === 0 ? { id: ID, transcript: 'a' } : { data: 'AAAA' } }),
      ),
      chunk({}, 'stop'),
      usageChunk(),
      DONE,
    ];
    const { provider } = await setup(
      {
        '/chat/completions': paced([chunk({ role: 'assistant', content: null })], (i) => steps[i]),
      },
      { timeouts: { firstTokenMs: 400, idleMs: 300 }, retry: false },
    );
    const answer = await provider.complete(ask('Say a', spoken));
    expect(answer.audio).toMatchObject({ id: ID, transcript: 'a', data: 'AAAA'.repeat(29) });
  }, 10_000);
});
