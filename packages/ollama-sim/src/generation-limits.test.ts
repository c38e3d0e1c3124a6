import { describe, expect, it } from 'vitest';
import { lines, send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import type { OllamaSim } from './sim';

// Where generation ends besides the answer's own end (llm/llama_server.go): the runner bounds
// `num_predict` (boundedNumPredict: a negative one, the default, or one above ten windows becomes
// ten windows), and llama-server launched without `--context-shift` stops with `length` once the
// prompt and the answer fill the window (its "running out of context capacity").

const start = simPerTest();

/** Answers of 300 tokens, longer than the windows below. */
const sim = () =>
  start({
    responseTokens: { min: 300, max: 300 },
    models: [{ name: 'llama3.2' }, { name: 'strict', contextOverflow: 'error' }],
  });

interface Done {
  done_reason: string;
  prompt_eval_count: number;
  eval_count: number;
}

async function chat(s: OllamaSim, extra: Record<string, unknown>): Promise<Done> {
  const body = { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: false };
  const res = await send(s.url, '/api/chat', { body: { ...body, ...extra } });
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as Done;
}

describe('generation without context shift', () => {
  it('ends with done_reason length once the prompt and the answer fill the window', async () => {
    const s = await sim();
    const options = { num_ctx: 64 };
    const cut = await chat(s, { shift: false, options });
    expect(cut.done_reason).toBe('length');
    expect(cut.prompt_eval_count + cut.eval_count).toBe(64);
    // With context shift (asked, or the model's default) the answer runs to its end.
    for (const shift of [true, undefined]) {
      const whole = await chat(s, { shift, options });
      expect([whole.done_reason, whole.eval_count]).toEqual(['stop', 300]);
    }
    // A model without context shift stops the same way unless the request turns it on.
    const strict = await chat(s, { model: 'strict', options });
    expect([strict.done_reason, strict.prompt_eval_count + strict.eval_count]).toEqual([
      'length',
      64,
    ]);
    expect((await chat(s, { model: 'strict', shift: true, options })).eval_count).toBe(300);
  });

  it('streams only the tokens that fit, on generate too, and num_predict still cuts first', async () => {
    const s = await sim();
    const body = { model: 'llama3.2', prompt: 'hi', shift: false, options: { num_ctx: 64 } };
    const res = await send(s.url, '/api/generate', { body });
    const all = lines(res.text);
    const done = all.at(-1) as unknown as Done;
    expect(done.done_reason).toBe('length');
    expect(all.length - 1).toBe(done.eval_count);
    expect(done.prompt_eval_count + done.eval_count).toBe(64);
    const short = await chat(s, { shift: false, options: { num_ctx: 64, num_predict: 5 } });
    expect([short.done_reason, short.eval_count]).toEqual(['length', 5]);
  });
});

describe('num_predict', () => {
  it('bounds a negative or a too large num_predict to ten windows', async () => {
    const s = await sim();
    for (const num_predict of [undefined, -1, -2, 1000]) {
      const answer = await chat(s, { options: { num_ctx: 16, num_predict } });
      expect([num_predict, answer.done_reason, answer.eval_count]).toEqual([
        num_predict,
        'length',
        160,
      ]);
    }
    const within = await chat(s, { options: { num_ctx: 16, num_predict: 100 } });
    expect([within.done_reason, within.eval_count]).toEqual(['length', 100]);
  });
});
