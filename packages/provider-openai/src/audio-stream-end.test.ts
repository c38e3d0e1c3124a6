// A spoken answer's stream may end with an `expires_at`-only audio piece and no finish reason
// before `[DONE]` (gpt-4o-audio-preview; openai/openai-node#1206, whose stream helper infers
// `stop` there). The answer arrived whole, so it reads as `'stop'`; a stream that went on after
// the expiry, or whose audio is incomplete, keeps no finish reason.
import { describe, expect, it } from 'vitest';
import { chunk, DONE, sse, usageChunk } from './__fixtures__/server';
import { ask, collect, setup } from './__fixtures__/setup';

const spoken = {
  extraBody: { modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } },
};
const ID = 'audio_6c1a0f9e2b';
const EXPIRES = 1_764_118_800;

const start = chunk({ role: 'assistant', content: null, refusal: null });
const audio = [
  chunk({ audio: { id: ID, transcript: 'Hello', data: 'UklG' } }),
  chunk({ audio: { data: 'RiQA' } }),
];
const expiry = chunk({ audio: { expires_at: EXPIRES } });

async function finishOf(events: string[]) {
  const { provider } = await setup({ '/chat/completions': sse(events) });
  const chunks = await collect(provider.stream(ask('Say hello', spoken)));
  return chunks.at(-1)!.response!;
}

describe("a spoken answer's stream without a finish reason", () => {
  it("reads as 'stop' when it ends with the audio's expiry and [DONE]", async () => {
    const response = await finishOf([start, ...audio, expiry, usageChunk(), DONE]);
    expect(response.finishReason).toBe('stop');
    expect(response.audio).toMatchObject({ id: ID, data: 'UklGRiQA', expiresAt: EXPIRES });
  });

  it('reads so through complete() too', async () => {
    const { provider } = await setup({
      '/chat/completions': sse([start, ...audio, expiry, usageChunk(), DONE]),
    });
    expect((await provider.complete(ask('Say hello', spoken))).finishReason).toBe('stop');
  });

  it('keeps the finish reason the server gave', async () => {
    const events = [start, ...audio, expiry, chunk({}, 'length'), usageChunk(), DONE];
    expect((await finishOf(events)).finishReason).toBe('length');
  });

  it('has none when the answer went on after the expiry, or its audio never came', async () => {
    const after = [start, ...audio, expiry, chunk({ audio: { data: 'AAAA' } }), DONE];
    expect((await finishOf(after)).finishReason).toBeUndefined();
    const text = [start, ...audio, expiry, chunk({ content: 'more' }), DONE];
    expect((await finishOf(text)).finishReason).toBeUndefined();
    expect((await finishOf([start, expiry, DONE])).finishReason).toBeUndefined();
  });

  it('has none for a text stream that ends without one', async () => {
    const events = [start, chunk({ content: 'Hi' }), usageChunk(), DONE];
    expect((await finishOf(events)).finishReason).toBeUndefined();
  });
});
