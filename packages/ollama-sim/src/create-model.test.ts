import { describe, expect, it } from 'vitest';
import { lines, send } from './__fixtures__/client';
import { names, sha256, tiny } from './__fixtures__/model-store';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

describe('/api/create', () => {
  it('creates from a local model with system, template and parameters, shown by /api/show and /api/tags', async () => {
    const s = await start();
    const res = await send(s.url, '/api/create', {
      body: {
        model: 'terse',
        from: 'llama3.2',
        system: 'You are terse.',
        template: '{{ .System }} {{ .Prompt }}',
        parameters: { temperature: 0.2, num_ctx: 8192, stop: ['<end>'] },
      },
    });
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    const got = lines(res.text);
    expect(got.slice(-2)).toEqual([{ status: 'writing manifest' }, { status: 'success' }]);
    for (const line of got.slice(0, -2))
      expect(line.status).toMatch(/^(using existing|creating new) layer sha256:[0-9a-f]{64}$/);
    // The new template, system and parameters; the weights and licence are the base's.
    expect(got.filter((l) => String(l.status).startsWith('creating new'))).toHaveLength(3);
    const show = JSON.parse((await send(s.url, '/api/show', { body: { model: 'terse' } })).text);
    expect(show.system).toBe('You are terse.');
    expect(show.template).toBe('{{ .System }} {{ .Prompt }}');
    expect(show.details.parent_model).toBe('llama3.2:latest');
    expect(show.parameters.split('\n')).toEqual([
      `${'num_ctx'.padEnd(30)} 8192`,
      `${'stop'.padEnd(30)} "<end>"`,
      `${'temperature'.padEnd(30)} 0.2`,
    ]);
    // parser.quote leaves a one-line value without edge spaces bare.
    expect(show.modelfile).toContain(
      '\nTEMPLATE {{ .System }} {{ .Prompt }}\nSYSTEM You are terse.\n',
    );
    expect(show.modelfile).toContain('\nPARAMETER stop <end>\n');
    expect(await names(s)).toEqual(expect.arrayContaining(['terse:latest', 'llama3.2:latest']));
  });

  it('quotes Modelfile text as parser.quote does and ends with the MESSAGE lines', async () => {
    const s = await start();
    await send(s.url, '/api/create', {
      body: {
        model: 'quoted',
        from: 'llama3.2',
        system: 'Line one\nline two',
        template: ' {{ .Prompt }} "quoted"\n',
        parameters: { stop: [' <end> '] },
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'Assistant', content: 'two\nlines "here"' },
        ],
      },
    });
    const show = JSON.parse((await send(s.url, '/api/show', { body: { model: 'quoted' } })).text);
    const modelfile = show.modelfile as string;
    expect(modelfile).toContain('\nTEMPLATE """ {{ .Prompt }} "quoted"\n"""\n');
    expect(modelfile).toContain('\nSYSTEM "Line one\nline two"\n');
    expect(modelfile).toContain('\nPARAMETER stop " <end> "\n');
    expect(modelfile.endsWith('MESSAGE user hi\nMESSAGE assistant """two\nlines "here""""\n')).toBe(
      true,
    );
  });

  it('counts the created SYSTEM prompt in prompt_eval_count and serves its num_ctx', async () => {
    const s = await start();
    const system = 'x'.repeat(1000);
    await send(s.url, '/api/create', {
      body: { model: 'sys', from: 'llama3.2', system, parameters: { num_ctx: 8192 } },
    });
    const ask = (model: string) =>
      send(s.url, '/api/chat', {
        body: { model, messages: [{ role: 'user', content: 'hi' }], stream: false },
      }).then((r) => JSON.parse(r.text).prompt_eval_count as number);
    // 4 + (4 + 270) for the unseen SYSTEM
    expect((await ask('sys')) - (await ask('llama3.2'))).toBe(274);
    const ps = JSON.parse((await send(s.url, '/api/ps')).text).models as {
      name: string;
      context_length: number;
    }[];
    expect(ps.find((m) => m.name === 'sys:latest')?.context_length).toBe(8192);
  });

  it('pulls a `from` model missing locally first, which then appears too', async () => {
    const s = await start({ models: [], registry: [tiny] });
    const got = lines(
      (await send(s.url, '/api/create', { body: { model: 'mine', from: 'tiny:1b' } })).text,
    );
    expect(got[0]).toEqual({ status: 'pulling manifest' });
    expect(got.at(-1)).toEqual({ status: 'success' });
    expect((await names(s)).sort()).toEqual(['mine:latest', 'tiny:1b']);
  });

  it('creates from an uploaded GGUF blob and quantizes a full-precision model', async () => {
    const s = await start();
    const gguf = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(2000, 7)]);
    const digest = sha256(gguf);
    const upload = await fetch(`${s.url}/api/blobs/${digest}`, { method: 'POST', body: gguf });
    expect(upload.status).toBe(201);
    const res = await send(s.url, '/api/create', {
      body: { model: 'local', files: { 'model.gguf': digest }, stream: false },
    });
    expect([res.status, res.text]).toEqual([200, '{"status":"success"}']);
    const show = JSON.parse((await send(s.url, '/api/show', { body: { model: 'local' } })).text);
    expect(show.modelfile).toContain(
      `FROM /usr/share/ollama/.ollama/models/blobs/${digest.replace(':', '-')}`,
    );
    const quant = lines(
      (
        await send(s.url, '/api/create', {
          body: { model: 'nomic-q4', from: 'nomic-embed-text', quantize: 'q4_K_M' },
        })
      ).text,
    );
    expect(quant[0]).toMatchObject({
      status: 'quantizing F16 model to Q4_K_M',
      digest: '0000000000000000000',
    });
    const tags = JSON.parse((await send(s.url, '/api/tags')).text).models as {
      name: string;
      details: { quantization_level: string };
    }[];
    expect(tags.find((m) => m.name === 'nomic-q4:latest')?.details.quantization_level).toBe(
      'Q4_K_M',
    );
  });

  const failures: [string, object, number, string][] = [
    ['an invalid name', { model: 'no good', from: 'llama3.2' }, 400, 'invalid model name'],
    ['neither from nor files', { model: 'x' }, 400, "neither 'from' or 'files' was specified"],
    [
      'an absolute file path',
      { model: 'x', files: { '/etc/x.gguf': 'sha256:00' } },
      400,
      'file path must be relative',
    ],
    ['an empty digest', { model: 'x', files: { 'a.gguf': '' } }, 400, 'invalid digest format'],
    [
      'a quantized base to quantize',
      { model: 'x', from: 'llama3.2', quantize: 'Q8_0' },
      500,
      'quantization is only supported for F16, BF16 and F32 models',
    ],
  ];
  for (const [name, body, status, error] of failures) {
    it(`answers ${status} ${JSON.stringify(error)} for ${name}`, async () => {
      const s = await start();
      const res = await send(s.url, '/api/create', { body });
      expect(res.status).toBe(status);
      expect(JSON.parse(res.text)).toEqual({ error });
      expect(await names(s)).not.toContain('x:latest');
    });
  }

  it('announces each GGUF file before opening its blob: a bad digest or a missing blob is an error line of the stream', async () => {
    const s = await start();
    const missing = `sha256:${'0'.repeat(64)}`;
    const streamed = await send(s.url, '/api/create', {
      body: { model: 'x', files: { 'a.gguf': missing } },
    });
    expect(streamed.status).toBe(200);
    expect(lines(streamed.text)).toEqual([
      { status: 'parsing GGUF' },
      {
        error: `open /usr/share/ollama/.ollama/models/blobs/sha256-${'0'.repeat(64)}: no such file or directory`,
      },
    ]);
    const malformed = await send(s.url, '/api/create', {
      body: { model: 'x', files: { 'a.gguf': 'sha256:xyz' } },
    });
    expect(lines(malformed.text)).toEqual([
      { status: 'parsing GGUF' },
      { error: 'invalid digest format' },
    ]);
    // not streamed: the error alone, as a 500
    const whole = await send(s.url, '/api/create', {
      body: { model: 'x', files: { 'a.gguf': missing }, stream: false },
    });
    expect(whole.status).toBe(500);
    expect(JSON.parse(whole.text).error).toMatch(/no such file or directory$/);
    // a file neither named .gguf nor a GGUF blob: refused before anything is sent
    const unknown = await send(s.url, '/api/create', {
      body: { model: 'x', files: { 'a.bin': missing } },
    });
    expect([unknown.status, JSON.parse(unknown.text)]).toEqual([400, { error: 'unknown type' }]);
    expect(await names(s)).not.toContain('x:latest');
  });

  it('refuses a .gguf file whose blob lacks the GGUF magic, as Ollama does after parsing GGUF', async () => {
    const s = await start();
    // 100 KB that are not GGUF: the name alone must not pass it.
    const notGguf = Buffer.alloc(100_000, 0x5a);
    const digest = sha256(notGguf);
    const post = await fetch(`${s.url}/api/blobs/${digest}`, { method: 'POST', body: notGguf });
    expect(post.status).toBe(201);
    const error = 'supplied file was not in GGUF format';
    const streamed = await send(s.url, '/api/create', {
      body: { model: 'x', files: { 'model.gguf': digest } },
    });
    expect(streamed.status).toBe(200);
    expect(lines(streamed.text)).toEqual([{ status: 'parsing GGUF' }, { error }]);
    // not streamed: CreateHandler's 400 for errOnlyGGUFSupported, for files, adapters and drafts
    for (const body of [
      { files: { 'model.gguf': digest } },
      { from: 'llama3.2', adapters: { 'lora.gguf': digest } },
      { from: 'llama3.2', draft_files: { 'draft.gguf': digest } },
    ]) {
      const whole = await send(s.url, '/api/create', {
        body: { model: 'x', ...body, stream: false },
      });
      expect([body, whole.status, JSON.parse(whole.text)]).toEqual([body, 400, { error }]);
    }
    expect(await names(s)).not.toContain('x:latest');
    // The magic in either byte order is GGUF to Ollama's DetectContentType (a big-endian file).
    const bigEndian = Buffer.concat([Buffer.from('FUGG'), Buffer.alloc(1000, 3)]);
    const be = sha256(bigEndian);
    expect(
      (await fetch(`${s.url}/api/blobs/${be}`, { method: 'POST', body: bigEndian })).status,
    ).toBe(201);
    const made = await send(s.url, '/api/create', {
      body: { model: 'x', files: { 'model.gguf': be }, stream: false },
    });
    expect([made.status, made.text]).toEqual([200, '{"status":"success"}']);
  });

  it('applies faults: a 503 status before anything is created', async () => {
    const s = await start({
      faults: [{ route: '/api/create', sequence: [{ kind: 'status', status: 503 }] }],
    });
    const res = await send(s.url, '/api/create', { body: { model: 'x', from: 'llama3.2' } });
    expect(res.status).toBe(503);
    expect(await names(s)).not.toContain('x:latest');
  });
});
