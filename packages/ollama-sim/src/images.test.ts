import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { exceedsContextText } from './__fixtures__/llama-server-refusal';
import { simPerTest } from './__fixtures__/sim-per-test';
import type { OllamaSim } from './sim';

// Images and the window: an image weighs 768 tokens only on a model with a vision projector
// (server/prompt.go), a vision model runs with at least 2048 tokens (server/sched.go), and a
// prompt with images, or with `truncate: false`, reaches llama-server untouched: one that does not
// fit is its 400, passed on as the error text (llm/llama_server.go).

const start = simPerTest();

const PIXEL =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const LONG = 'word '.repeat(2000); // 2700 estimated tokens
const models = [
  { name: 'llama3.2' },
  { name: 'eyes', capabilities: ['completion', 'vision'] },
] as const;

async function call(s: OllamaSim, path: string, body: Record<string, unknown>) {
  const res = await send(s.url, path, { body });
  return {
    status: res.status,
    type: res.headers['content-type'],
    body: JSON.parse(res.text) as Record<string, unknown>,
  };
}

const chat = (model: string, images: number, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hi', images: Array(images).fill(PIXEL) }],
  stream: false,
  ...extra,
});

describe('images in the prompt', () => {
  it('counts 768 tokens per image on a vision model only, on chat and generate', async () => {
    const s = await start({ models: [...models] });
    // 4 (BOS + header) + 4 + 1 ("hi") on chat; 12 + 1 on generate.
    for (const [model, perImage] of [
      ['eyes', 768],
      ['llama3.2', 0],
    ] as const) {
      expect((await call(s, '/api/chat', chat(model, 2))).body.prompt_eval_count).toBe(
        9 + 2 * perImage,
      );
      const generated = await call(s, '/api/generate', {
        model,
        prompt: 'hi',
        images: [PIXEL],
        stream: false,
      });
      expect(generated.body.prompt_eval_count).toBe(13 + perImage);
    }
  });

  it("answers llama-server's 400 for images that do not fit, never truncating them", async () => {
    const s = await start({ models: [...models], defaultNumCtx: 1024 });
    // A vision model's window is at least 2048: three images (2313 tokens) do not fit.
    const eyes = await call(s, '/api/chat', chat('eyes', 3));
    expect([eyes.status, eyes.type, eyes.body]).toEqual([
      400,
      'application/json; charset=utf-8',
      { error: exceedsContextText(2313, 2048) },
    ]);
    // The image alone weighs nothing on another model, but it keeps the long text whole.
    const streamed = await call(s, '/api/chat', {
      model: 'llama3.2',
      messages: [{ role: 'user', content: LONG, images: [PIXEL] }],
    });
    // 4 + (4 + 2700), and a stream answers it before its first line: bare application/json.
    expect([streamed.status, streamed.type, streamed.body]).toEqual([
      400,
      'application/json',
      { error: exceedsContextText(2708, 1024) },
    ]);
    const generated = await call(s, '/api/generate', {
      model: 'llama3.2',
      prompt: LONG,
      images: [PIXEL],
      stream: false,
    });
    expect([generated.status, generated.body]).toEqual([
      400,
      { error: exceedsContextText(2712, 1024) },
    ]);
    expect(s.stats().truncatedPrompts).toBe(0);
  });

  it('drops the oldest messages (system ones stay) until a prompt with images fits, as chatPrompt does', async () => {
    const s = await start({ models: [...models] });
    const res = await call(s, '/api/chat', {
      model: 'eyes',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: LONG },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'look', images: [PIXEL] },
      ],
      options: { num_ctx: 2048 },
      stream: false,
    });
    // 4 + system (4 + 3) + assistant (4 + 1) + last (4 + 2 + 768): the long message went.
    expect([res.status, res.body.prompt_eval_count]).toEqual([200, 790]);
  });

  it('hands the runner the whole prompt with truncate:false on generate too', async () => {
    const s = await start({ defaultNumCtx: 1024 });
    const truncated = await call(s, '/api/generate', {
      model: 'llama3.2',
      prompt: LONG,
      stream: false,
    });
    expect([truncated.status, truncated.body.prompt_eval_count]).toEqual([200, 514]);
    const strict = await call(s, '/api/generate', {
      model: 'llama3.2',
      prompt: LONG,
      truncate: false,
      stream: false,
    });
    expect([strict.status, strict.body]).toEqual([400, { error: exceedsContextText(2712, 1024) }]);
  });

  it('passes the refusal on through /v1 as the message of an invalid_request_error', async () => {
    const s = await start({
      models: [{ name: 'peek', capabilities: ['completion', 'vision'], contextLength: 512 }],
    });
    const res = await call(s, '/v1/chat/completions', {
      model: 'peek',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is it?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PIXEL}` } },
          ],
        },
      ],
    });
    // Each part is a message of its own: the text one is dropped, the image one (4 + 4 + 768)
    // still does not fit the model's 512 tokens.
    expect([res.status, res.body]).toEqual([
      400,
      {
        error: {
          message: exceedsContextText(776, 512),
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    ]);
  });
});
