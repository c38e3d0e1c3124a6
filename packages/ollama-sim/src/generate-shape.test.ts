import { describe, expect, it } from 'vitest';
import { fixture, fixtureLines, lines, send } from './__fixtures__/client';
import { keysOf, shapeOf } from './__fixtures__/shape';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

describe('/api/generate', () => {
  it('answers stream:false with thinking before the done fields on a thinking model', async () => {
    const s = await start();
    const res = await send(s.url, '/api/generate', {
      body: { model: 'qwen3:4b', prompt: 'x', stream: false },
    });
    expect(keysOf(JSON.parse(res.text))).toEqual([
      'model',
      'created_at',
      'response',
      'thinking',
      'done',
      'done_reason',
      'context',
      'total_duration',
      'load_duration',
      'prompt_eval_count',
      'prompt_eval_duration',
      'eval_count',
      'eval_duration',
    ]);
  });

  it('streams response chunks and a final chunk with context like the fixture', async () => {
    const s = await start();
    const res = await send(s.url, '/api/generate', {
      body: fixture('03-generate-stream.json').request.body,
    });
    const got = lines(res.text);
    const want = fixtureLines('03-generate-stream.json');
    for (const line of got.slice(0, -1)) expect(shapeOf(line)).toEqual(shapeOf(want[0]));
    expect(shapeOf(got.at(-1))).toEqual(shapeOf(want.at(-1)));
    const final = got.at(-1)!;
    expect((final.context as number[]).length).toBe(
      (final.prompt_eval_count as number) + (final.eval_count as number),
    );
  });

  it('omits context when raw is true', async () => {
    const s = await start();
    const res = await send(s.url, '/api/generate', {
      body: { model: 'llama3.2', prompt: 'x', raw: true, stream: false },
    });
    expect(keysOf(JSON.parse(res.text))).not.toContain('context');
  });

  it('rejects raw with a template', async () => {
    const s = await start();
    const res = await send(s.url, '/api/generate', {
      body: { model: 'llama3.2', prompt: 'x', raw: true, template: '{{ .Prompt }}' },
    });
    expect(res.status).toBe(400);
  });
});
