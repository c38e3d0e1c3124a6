import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import type { OllamaSim } from './sim';

// When a request reloads its model's runner, as Ollama's scheduler decides it (server/sched.go
// needsReload): a runner is launched with context shift on or off (llama-server's
// `--context-shift`), resolved from the request's `shift`, else on unless the model cannot shift
// (resolveContextShift); a request that resolves to the other setting reloads it, whatever its
// num_ctx. Embed requests send no `shift`, so they resolve to the model's own setting.

const start = simPerTest();

// `both` generates and embeds (a Modelfile can list both capabilities).
const sim = () =>
  start({
    models: [
      { name: 'llama3.2' },
      { name: 'strict', contextOverflow: 'error' },
      { name: 'both', capabilities: ['completion', 'embedding'] },
    ],
  });

function chat(s: OllamaSim, model: string, extra: Record<string, unknown> = {}) {
  return send(s.url, '/api/chat', {
    body: { model, messages: [{ role: 'user', content: 'hi' }], stream: false, ...extra },
  });
}

async function loadsAfter(s: OllamaSim, request: Promise<{ status: number }>): Promise<number> {
  expect((await request).status).toBe(200);
  return s.stats().loads;
}

describe('a runner reload', () => {
  it('follows the context shift a chat resolves to, as needsReload compares it', async () => {
    const s = await sim();
    expect(await loadsAfter(s, chat(s, 'llama3.2'))).toBe(1);
    // `shift: true` is what the model resolves to without one: the same runner.
    expect(await loadsAfter(s, chat(s, 'llama3.2', { shift: true }))).toBe(1);
    expect(await loadsAfter(s, chat(s, 'llama3.2', { shift: false }))).toBe(2);
    expect(await loadsAfter(s, chat(s, 'llama3.2', { shift: false }))).toBe(2);
    // Leaving `shift` out resolves to the model's own setting again: another reload.
    expect(await loadsAfter(s, chat(s, 'llama3.2'))).toBe(3);
    // A model that cannot shift runs without it unless a request asks for it.
    expect(await loadsAfter(s, chat(s, 'strict'))).toBe(4);
    expect(await loadsAfter(s, chat(s, 'strict', { shift: false }))).toBe(4);
    expect(await loadsAfter(s, chat(s, 'strict', { shift: true }))).toBe(5);
  });

  it('follows generate the same way, and an embed request resolves to the model’s own setting', async () => {
    const s = await sim();
    const generate = (extra: Record<string, unknown>) =>
      send(s.url, '/api/generate', {
        body: { model: 'both', prompt: 'hi', stream: false, ...extra },
      });
    const embed = () => send(s.url, '/api/embed', { body: { model: 'both', input: 'hi' } });
    expect(await loadsAfter(s, generate({ shift: false }))).toBe(1);
    expect(await loadsAfter(s, generate({ shift: false }))).toBe(1);
    // EmbedHandler hands the scheduler no `shift`: context shift on, unlike the loaded runner.
    expect(await loadsAfter(s, embed())).toBe(2);
    expect(await loadsAfter(s, generate({}))).toBe(2);
    // Only the runner's setup counts: a reload for shift keeps the window, and a window change
    // alone reloads as before.
    const ps = async () =>
      (JSON.parse((await send(s.url, '/api/ps')).text) as { models: { context_length: number }[] })
        .models[0]!.context_length;
    expect(await loadsAfter(s, generate({ shift: false, options: { num_ctx: 8192 } }))).toBe(3);
    expect(await ps()).toBe(8192);
    expect(await loadsAfter(s, generate({ shift: false, options: { num_ctx: 8192 } }))).toBe(3);
  });
});

// needsReload also compares the runner options (api.Runner: num_batch, num_gpu, main_gpu,
// use_mmap, num_thread, draft_num_predict), as the request resolves them over the model's
// Modelfile parameters and api.DefaultOptions; a negative num_gpu leaves the layers to the server
// and takes any runner.
describe('a runner reload for runner options', () => {
  it('follows every runner option a request sets, and only those', async () => {
    const s = await sim();
    expect(await loadsAfter(s, chat(s, 'llama3.2'))).toBe(1);
    // The defaults, or options that are not the runner's: the same runner.
    for (const options of [
      { num_batch: 512, num_thread: 0, draft_num_predict: 0 },
      { temperature: 0.1, num_predict: 5, num_batch: null },
      { num_gpu: -1 },
    ])
      expect(await loadsAfter(s, chat(s, 'llama3.2', { options }))).toBe(1);
    let loads = 1;
    for (const options of [
      { num_batch: 64 },
      { num_thread: 4 },
      { main_gpu: 0 },
      { use_mmap: false },
      { draft_num_predict: 4 },
    ]) {
      expect(await loadsAfter(s, chat(s, 'llama3.2', { options }))).toBe(++loads);
      expect(await loadsAfter(s, chat(s, 'llama3.2', { options }))).toBe(loads);
      // Back to the defaults: reloaded again.
      expect(await loadsAfter(s, chat(s, 'llama3.2'))).toBe(++loads);
    }
  });

  it('lets a request that leaves num_gpu to the server take a runner launched with one', async () => {
    const s = await sim();
    expect(await loadsAfter(s, chat(s, 'llama3.2', { options: { num_gpu: 10 } }))).toBe(1);
    expect(await loadsAfter(s, chat(s, 'llama3.2'))).toBe(1);
    expect(await loadsAfter(s, chat(s, 'llama3.2', { options: { num_gpu: -5 } }))).toBe(1);
    expect(await loadsAfter(s, chat(s, 'llama3.2', { options: { num_gpu: 20 } }))).toBe(2);
  });

  it('reads the options of a created model’s parameters, and an embedding model’s own batch', async () => {
    const s = await start();
    const create = await send(s.url, '/api/create', {
      body: { model: 'threads', from: 'llama3.2', parameters: { num_thread: 4 }, stream: false },
    });
    expect(create.status).toBe(200);
    expect(await loadsAfter(s, chat(s, 'threads'))).toBe(1);
    expect(await loadsAfter(s, chat(s, 'threads', { options: { num_thread: 4 } }))).toBe(1);
    expect(await loadsAfter(s, chat(s, 'threads', { options: { num_thread: 0 } }))).toBe(2);
    const embed = (options?: Record<string, unknown>) =>
      send(s.url, '/api/embed', { body: { model: 'nomic-embed-text', input: 'hi', options } });
    expect(await loadsAfter(s, embed())).toBe(3);
    // nomic-embed-text's window is 2048: its batch is 2048 unless a request sets one.
    expect(await loadsAfter(s, embed({ num_batch: 2048 }))).toBe(3);
    expect(await loadsAfter(s, embed({ num_batch: 512 }))).toBe(4);
  });
});
