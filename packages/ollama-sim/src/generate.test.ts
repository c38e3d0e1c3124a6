import { afterEach, describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { keysOf } from './__fixtures__/shape';
import { type OllamaSim, startOllamaSim } from './sim';

// /api/generate's checks in the order of Ollama's GenerateHandler (server/routes.go): model lookup,
// unload, raw-mode conflicts, then the load of an empty prompt.

let sim: OllamaSim | undefined;
async function start(): Promise<OllamaSim> {
  sim = await startOllamaSim();
  return sim;
}
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const PIXEL =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

async function generate(s: OllamaSim, body: Record<string, unknown>) {
  const res = await send(s.url, '/api/generate', { body });
  return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> };
}

describe('POST /api/generate', () => {
  it('answers 404 model not found before refusing raw mode with a system prompt', async () => {
    const s = await start();
    const res = await generate(s, { model: 'nope', prompt: 'hi', raw: true, system: 'be brief' });
    expect(res).toEqual({ status: 404, body: { error: "model 'nope' not found" } });
  });

  it('unloads on an empty prompt with keep_alive 0 even in raw mode with a template', async () => {
    const s = await start();
    const res = await generate(s, {
      model: 'llama3.2',
      raw: true,
      template: '{{ .Prompt }}',
      keep_alive: 0,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ done: true, done_reason: 'unload' });
  });

  it('answers 400 for raw mode with a system prompt on a served model', async () => {
    const s = await start();
    const res = await generate(s, {
      model: 'llama3.2',
      prompt: 'hi',
      raw: true,
      system: 'be brief',
    });
    expect(res).toEqual({
      status: 400,
      body: { error: 'raw mode does not support template, system, or context' },
    });
  });

  it('generates in raw mode when context is an empty list (Go tests its length)', async () => {
    const s = await start();
    const res = await generate(s, {
      model: 'llama3.2',
      prompt: 'hi',
      raw: true,
      context: [],
      stream: false,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ done: true, done_reason: 'stop' });
    expect(res.body.response).not.toBe('');
  });

  it('only loads the model (done_reason "load", no text) when images come without a prompt', async () => {
    const s = await start();
    const res = await generate(s, { model: 'llama3.2', images: [PIXEL] });
    expect(res.status).toBe(200);
    expect(keysOf(res.body)).toEqual(['model', 'created_at', 'response', 'done', 'done_reason']);
    expect(res.body).toMatchObject({ response: '', done: true, done_reason: 'load' });
    expect(s.stats().evalTokens).toBe(0);
  });
});
