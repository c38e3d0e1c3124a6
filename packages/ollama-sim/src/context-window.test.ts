import { describe, expect, it } from 'vitest';
import { send, user } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

describe('context window', () => {
  const long = 'word '.repeat(2000); // ~2700 estimated tokens

  it('truncates silently to num_ctx/2 + 2 evaluated tokens when the prompt is too long', async () => {
    const s = await start({ defaultNumCtx: 1024 });
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user(long), stream: false },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).prompt_eval_count).toBe(514);
    const wider = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user(long), stream: false, options: { num_ctx: 2048 } },
    });
    expect(JSON.parse(wider.text).prompt_eval_count).toBe(1026);
    const roomy = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user(long), stream: false, options: { num_ctx: 8192 } },
    });
    expect(JSON.parse(roomy.text).prompt_eval_count).toBeGreaterThan(2048);
    expect(s.stats().truncatedPrompts).toBe(2);
  });

  it('caps the window at the trained context length', async () => {
    const s = await start({ models: [{ name: 'tiny', contextLength: 512 }] });
    const res = await send(s.url, '/api/chat', {
      body: { model: 'tiny', messages: user(long), stream: false, options: { num_ctx: 8192 } },
    });
    expect(JSON.parse(res.text).prompt_eval_count).toBe(258);
  });

  it('answers 400 when truncate is false or the model errors on overflow', async () => {
    const s = await start({
      defaultNumCtx: 1024,
      models: [{ name: 'llama3.2' }, { name: 'strict', contextOverflow: 'error' }],
    });
    // truncate:false hands the runner the whole prompt: llama-server's refusal is the error text.
    const a = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user(long), truncate: false },
    });
    expect(a.status).toBe(400);
    expect(JSON.parse(JSON.parse(a.text).error)).toMatchObject({
      error: { code: 400, type: 'exceed_context_size_error', n_ctx: 1024 },
    });
    const b = await send(s.url, '/api/chat', { body: { model: 'strict', messages: user(long) } });
    expect(b.status).toBe(400);
    expect(JSON.parse(b.text).error).toMatch(/^the prompt is longer than the context length/);
  });

  it('estimates prompt_eval_count from the rendered prompt', async () => {
    const s = await start();
    const res = await send(s.url, '/api/chat', {
      body: {
        model: 'llama3.2',
        messages: [
          { role: 'system', content: 'a'.repeat(100) },
          { role: 'user', content: 'b'.repeat(200) },
        ],
        stream: false,
      },
    });
    // 4 (BOS + assistant header) + (4 + 27) + (4 + 54)
    expect(JSON.parse(res.text).prompt_eval_count).toBe(93);
  });
});
