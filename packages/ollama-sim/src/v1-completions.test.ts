import { afterEach, describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { keysOf } from './__fixtures__/shape';
import { sseData, sseEvents } from './__fixtures__/sse';
import { type OllamaSim, startOllamaSim } from './sim';

let sim: OllamaSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const PATH = '/v1/completions';
const prompt = (extra: object = {}) => ({
  model: 'qwen2.5:7b',
  prompt: 'Once upon a time',
  ...extra,
});

interface TextCompletion {
  id: string;
  object: string;
  choices: { text: string; index: number; finish_reason: string | null }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

describe('POST /v1/completions', () => {
  it('answers a text_completion with the text /api/generate answers for the same prompt', async () => {
    sim = await startOllamaSim();
    const res = await send(sim.url, PATH, { body: prompt() });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const body = JSON.parse(res.text) as TextCompletion;
    expect(keysOf(body)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'system_fingerprint',
      'choices',
      'usage',
    ]);
    expect(body.id).toMatch(/^cmpl-\d{1,3}$/);
    expect(body.object).toBe('text_completion');
    expect(keysOf(body.choices[0])).toEqual(['text', 'index', 'finish_reason']);
    const native = JSON.parse(
      (await send(sim.url, '/api/generate', { body: prompt({ stream: false }) })).text,
    ) as { response: string; prompt_eval_count: number; eval_count: number };
    expect(body.choices[0]!.text).toBe(native.response);
    expect(body.choices[0]!.finish_reason).toBe('stop');
    expect(body.usage).toEqual({
      prompt_tokens: native.prompt_eval_count,
      completion_tokens: native.eval_count,
      total_tokens: native.prompt_eval_count + native.eval_count,
    });
  });

  it('streams one chunk per token, a final chunk with the reason, the usage chunk, then [DONE]', async () => {
    sim = await startOllamaSim();
    const whole = JSON.parse(
      (await send(sim.url, PATH, { body: prompt() })).text,
    ) as TextCompletion;
    const res = await send(sim.url, PATH, {
      body: prompt({ stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(sseData(res.text).at(-1)).toBe('[DONE]');
    const events = sseEvents(res.text) as unknown as (TextCompletion & { usage: unknown })[];
    // Ollama's order for a chunk: choices before model.
    expect(keysOf(events[0])).toEqual([
      'id',
      'object',
      'created',
      'choices',
      'model',
      'system_fingerprint',
      'usage',
    ]);
    const usage = events.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual(whole.usage);
    const chunks = events.slice(0, -1);
    // With include_usage every earlier chunk carries zeroed usage, as Ollama writes it.
    expect(chunks.every((c) => (c.usage as { total_tokens: number }).total_tokens === 0)).toBe(
      true,
    );
    expect(chunks.map((c) => c.choices[0]!.text).join('')).toBe(whole.choices[0]!.text);
    expect(chunks.at(-1)!.choices[0]).toEqual({ text: '', index: 0, finish_reason: 'stop' });
    expect(chunks.slice(0, -1).every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
  });

  it('streams no usage at all without stream_options', async () => {
    sim = await startOllamaSim();
    const res = await send(sim.url, PATH, { body: prompt({ stream: true }) });
    expect(sseEvents(res.text).every((e) => !('usage' in e))).toBe(true);
  });

  it('takes a suffix on a model that can insert, and answers 400 on one that cannot', async () => {
    sim = await startOllamaSim();
    const ok = await send(sim.url, PATH, { body: prompt({ suffix: ' The end.' }) });
    expect(ok.status).toBe(200);
    const refused = await send(sim.url, PATH, {
      body: prompt({ model: 'llama3.2', suffix: ' The end.' }),
    });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toEqual({
      error: {
        message: 'registry.ollama.ai/library/llama3.2:latest does not support insert',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it('stops at max_tokens with finish_reason "length" and before a stop sequence', async () => {
    sim = await startOllamaSim({ reply: () => 'alpha beta gamma delta' });
    const cut = JSON.parse(
      (await send(sim.url, PATH, { body: prompt({ max_tokens: 2 }) })).text,
    ) as TextCompletion;
    expect(cut.choices[0]).toMatchObject({ text: 'alpha beta', finish_reason: 'length' });
    const stopped = JSON.parse(
      (await send(sim.url, PATH, { body: prompt({ stop: [' gamma'] }) })).text,
    ) as TextCompletion;
    expect(stopped.choices[0]).toMatchObject({ text: 'alpha beta', finish_reason: 'stop' });
  });

  it('answers an empty prompt as a load, with finish_reason "load" and no usage', async () => {
    sim = await startOllamaSim();
    const body = JSON.parse(
      (await send(sim.url, PATH, { body: prompt({ prompt: '' }) })).text,
    ) as TextCompletion;
    expect(body.choices[0]).toEqual({ text: '', index: 0, finish_reason: 'load' });
    expect(body.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it("answers the middleware's 400 for a prompt array and a stop list with a non-string", async () => {
    sim = await startOllamaSim();
    const array = await send(sim.url, PATH, { body: prompt({ prompt: ['a', 'b'] }) });
    expect(array.status).toBe(400);
    expect((JSON.parse(array.text) as { error: { message: string } }).error.message).toBe(
      'json: cannot unmarshal array into Go struct field CompletionRequest.prompt of type string',
    );
    const stop = await send(sim.url, PATH, { body: prompt({ stop: ['x', 1] }) });
    expect(stop.status).toBe(400);
    expect((JSON.parse(stop.text) as { error: { message: string } }).error.message).toBe(
      "invalid type for 'stop' field: float64",
    );
  });

  it('answers 404 not_found_error for an unknown model or none', async () => {
    sim = await startOllamaSim();
    for (const [model, text] of [
      ['nope', "model 'nope' not found"],
      [undefined, "model '' not found"],
    ] as const) {
      const res = await send(sim.url, PATH, { body: { prompt: 'hi', model } });
      expect(res.status).toBe(404);
      expect(JSON.parse(res.text)).toEqual({
        error: { message: text, type: 'not_found_error', param: null, code: null },
      });
    }
  });
});
