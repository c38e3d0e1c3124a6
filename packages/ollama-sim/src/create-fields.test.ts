import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lines, send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import type { OllamaSim } from './sim';

// The fields of api.CreateRequest beyond the classic ones: renderer, parser and requires (kept in
// the model's config: `requires` in /api/show, RENDERER and PARSER in its Modelfile, as
// GetModelInfo and Model.String write them), draft_files and draft_quantize (server/create.go).

const start = simPerTest();

const show = async (s: OllamaSim, model: string) =>
  JSON.parse((await send(s.url, '/api/show', { body: { model } })).text) as Record<string, unknown>;

async function upload(s: OllamaSim, fill: number): Promise<string> {
  const gguf = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(500, fill)]);
  const digest = `sha256:${createHash('sha256').update(gguf).digest('hex')}`;
  expect((await fetch(`${s.url}/api/blobs/${digest}`, { method: 'POST', body: gguf })).status).toBe(
    201,
  );
  return digest;
}

describe('/api/create renderer, parser, requires', () => {
  it('keeps them: requires in /api/show, RENDERER and PARSER in the Modelfile, inherited by a model made from it', async () => {
    const s = await start();
    const res = await send(s.url, '/api/create', {
      body: {
        model: 'rendered',
        from: 'qwen3:4b',
        system: 'Be brief.',
        renderer: 'qwen3-coder',
        parser: 'qwen3-coder',
        requires: '0.12.0',
        parameters: { temperature: 0.1 },
        stream: false,
      },
    });
    expect([res.status, res.text]).toEqual([200, '{"status":"success"}']);
    const got = await show(s, 'rendered');
    expect(got.requires).toBe('0.12.0');
    expect(Object.keys(got).at(-1)).toBe('requires');
    // Not fields of ShowResponse as GetModelInfo fills it.
    expect(got.renderer).toBeUndefined();
    expect(got.parser).toBeUndefined();
    // After SYSTEM, before the parameters, as Model.String orders its commands.
    expect(got.modelfile).toMatch(
      /\nSYSTEM [^\n]*Be brief\.[^\n]*\nRENDERER qwen3-coder\nPARSER qwen3-coder\nPARAMETER /,
    );
    await send(s.url, '/api/create', {
      body: { model: 'child', from: 'rendered', parser: 'other', stream: false },
    });
    const child = await show(s, 'child');
    expect(child.requires).toBe('0.12.0');
    expect(child.modelfile).toContain('RENDERER qwen3-coder\nPARSER other\n');
    expect((await show(s, 'qwen3:4b')).requires).toBeUndefined();
  });

  it("answers Go's decoding error for a field of the wrong type", async () => {
    const s = await start();
    const cases: [object, string][] = [
      [
        { renderer: 1 },
        'json: cannot unmarshal number into Go struct field CreateRequest.renderer of type string',
      ],
      [
        { parser: true },
        'json: cannot unmarshal bool into Go struct field CreateRequest.parser of type string',
      ],
      [
        { requires: ['1'] },
        'json: cannot unmarshal array into Go struct field CreateRequest.requires of type string',
      ],
      [
        { draft_quantize: 8 },
        'json: cannot unmarshal number into Go struct field CreateRequest.draft_quantize of type string',
      ],
      [
        { draft_files: 'a' },
        'json: cannot unmarshal string into Go struct field CreateRequest.draft_files of type map[string]string',
      ],
      [
        { draft_files: { 'a.gguf': 1 } },
        'json: cannot unmarshal number into Go struct field CreateRequest.draft_files of type string',
      ],
    ];
    for (const [extra, error] of cases) {
      const res = await send(s.url, '/api/create', {
        body: { model: 'x', from: 'llama3.2', ...extra },
      });
      expect([extra, res.status, JSON.parse(res.text)]).toEqual([extra, 400, { error }]);
    }
  });
});

describe('/api/create draft_files, draft_quantize', () => {
  it('adds the uploaded draft model as a layer of its own, shown as DRAFT in the Modelfile', async () => {
    const s = await start();
    const draft = await upload(s, 1);
    const res = await send(s.url, '/api/create', {
      body: { model: 'drafted', from: 'llama3.2', draft_files: { 'draft.gguf': draft } },
    });
    const got = lines(res.text);
    expect(got[0]).toEqual({ status: 'parsing GGUF' });
    // The uploaded blob is the layer: already held.
    expect(got).toContainEqual({ status: `using existing layer ${draft}` });
    expect(got.at(-1)).toEqual({ status: 'success' });
    const modelfile = (await show(s, 'drafted')).modelfile as string;
    expect(modelfile).toContain(
      `\nDRAFT /usr/share/ollama/.ollama/models/blobs/${draft.replace(':', '-')}\n`,
    );
  });

  const failures: [string, object, number, string][] = [
    [
      'draft_quantize without draft_files',
      { draft_quantize: 'q4_K_M' },
      400,
      '--draft-quantize requires a DRAFT model',
    ],
    [
      'a draft path that is not relative',
      { draft_files: { '/d.gguf': 'sha256:00' } },
      400,
      'file path must be relative',
    ],
    ['an empty draft digest', { draft_files: { 'd.gguf': '' } }, 400, 'invalid digest format'],
    ['empty draft_files', { draft_files: {} }, 400, 'unknown type'],
    [
      'a draft blob never uploaded (a 400 for a draft, not the 500 of files)',
      { draft_files: { 'd.gguf': `sha256:${'0'.repeat(64)}` }, stream: false },
      400,
      `open /usr/share/ollama/.ollama/models/blobs/sha256-${'0'.repeat(64)}: no such file or directory`,
    ],
  ];
  for (const [name, extra, status, error] of failures) {
    it(`answers ${status} ${JSON.stringify(error)} for ${name}`, async () => {
      const s = await start();
      const res = await send(s.url, '/api/create', {
        body: { model: 'x', from: 'llama3.2', ...extra },
      });
      expect([res.status, JSON.parse(res.text)]).toEqual([status, { error }]);
      expect((await send(s.url, '/api/show', { body: { model: 'x' } })).status).toBe(404);
    });
  }
});
