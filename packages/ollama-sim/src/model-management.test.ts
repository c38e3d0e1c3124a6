import { createHash } from 'node:crypto';
import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { lines, open, send, settlesSoon } from './__fixtures__/client';
import { fakeClock, simPerTest } from './__fixtures__/sim-per-test';
import type { OllamaSim } from './sim';

const start = simPerTest();

const fake = fakeClock;
/** A small model in the registry, so paced transfers take a few ticks. */
const tiny = { name: 'tiny:1b', size: 3000, license: 'MIT' };
const names = async (s: OllamaSim, path = '/api/tags') =>
  (JSON.parse((await send(s.url, path)).text).models as { name: string }[]).map((m) => m.name);
/**
 * Reads NDJSON lines from a stream; while a read waits, fake time moves on by `stepMs` (0: never),
 * so paced progress arrives without real waiting.
 */
function lineReader(stream: { next(): Promise<Buffer | null> }) {
  const got: Record<string, unknown>[] = [];
  let rest = '';
  let ended = false;
  return {
    async until(done: (got: Record<string, unknown>[]) => boolean, stepMs = 60) {
      while (!done(got) && !ended) {
        const pending = stream.next();
        while (stepMs > 0 && !(await settlesSoon(pending)))
          await vi.advanceTimersByTimeAsync(stepMs);
        const chunk = await pending;
        if (chunk === null) ended = true;
        else {
          const parts = (rest + chunk.toString()).split('\n');
          rest = parts.pop()!;
          got.push(...parts.map((l) => JSON.parse(l) as Record<string, unknown>));
        }
      }
      return got;
    },
  };
}
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('/api/pull', () => {
  it('streams pulling manifest, per-layer progress with digest/total/completed, verifying, writing, success', async () => {
    const s = await start({ registry: [tiny] });
    const res = await send(s.url, '/api/pull', { body: { model: 'tiny:1b' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    const got = lines(res.text);
    expect(got[0]).toEqual({ status: 'pulling manifest' });
    expect(got.slice(-3)).toEqual([
      { status: 'verifying sha256 digest' },
      { status: 'writing manifest' },
      { status: 'success' },
    ]);
    const layers = got.slice(1, -3);
    expect(layers.length).toBeGreaterThanOrEqual(3);
    for (const line of layers) {
      expect(Object.keys(line)).toEqual(['status', 'digest', 'total', 'completed']);
      expect(line.status).toBe(`pulling ${(line.digest as string).slice(7, 19)}`);
      expect(line.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(line.completed).toBe(line.total);
    }
    expect(layers[0]!.total).toBe(3000);
    expect(await names(s)).toContain('tiny:1b');
  });

  it('answers {"status":"success"} as application/json when stream is false', async () => {
    const s = await start({ registry: [tiny] });
    const res = await send(s.url, '/api/pull', { body: { model: 'tiny:1b', stream: false } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.text).toBe('{"status":"success"}');
  });

  it("streams Ollama's error line for a model the registry lacks, or answers 500 when not streaming", async () => {
    const s = await start();
    const streamed = await send(s.url, '/api/pull', { body: { model: 'nope:7b' } });
    expect(streamed.status).toBe(200);
    expect(lines(streamed.text)).toEqual([
      { status: 'pulling manifest' },
      { error: 'pull model manifest: file does not exist' },
    ]);
    const whole = await send(s.url, '/api/pull', { body: { model: 'nope:7b', stream: false } });
    expect(whole.status).toBe(500);
    expect(whole.headers['content-type']).toBe('application/json');
    expect(JSON.parse(whole.text)).toEqual({ error: 'pull model manifest: file does not exist' });
    expect(await names(s)).not.toContain('nope:7b');
  });

  it('answers 400 for a missing body and an invalid name', async () => {
    const s = await start();
    const empty = await send(s.url, '/api/pull', { rawBody: '' });
    expect([empty.status, JSON.parse(empty.text)]).toEqual([
      400,
      { error: 'missing request body' },
    ]);
    const bad = await send(s.url, '/api/pull', { body: { model: 'bad name!' } });
    expect([bad.status, JSON.parse(bad.text)]).toEqual([400, { error: 'invalid model name' }]);
  });

  it('reports a cached layer once, complete, when pulled again', async () => {
    const s = await start({ registry: [tiny], transferBytesPerSecond: 1000 });
    fake();
    const first = send(s.url, '/api/pull', { body: { model: 'tiny:1b' } });
    await until(() => s.stats().active === 1);
    await vi.advanceTimersByTimeAsync(10_000);
    await first;
    const again = lines((await send(s.url, '/api/pull', { body: { model: 'tiny:1b' } })).text);
    const weights = again.filter((l) => l.total === 3000);
    expect(weights).toEqual([expect.objectContaining({ total: 3000, completed: 3000 })]);
  });

  it('paces progress by transferBytesPerSecond in 60 ms steps on fake time', async () => {
    fake();
    const s = await start({ registry: [tiny], transferBytesPerSecond: 10_000 });
    const stream = lineReader(await open(s.url, '/api/pull', { model: 'tiny:1b' }));
    const [manifest, first] = await stream.until((got) => got.length >= 2);
    expect(manifest).toEqual({ status: 'pulling manifest' });
    expect(first).toMatchObject({ total: 3000 });
    expect(first!.completed).toBeUndefined();
    const next = stream.until((got) => got.length >= 3, 0);
    expect(await settlesSoon(next)).toBe(false);
    await vi.advanceTimersByTimeAsync(60);
    expect((await next)[2]).toMatchObject({ total: 3000, completed: 600 });
    const all = await stream.until(() => false);
    expect(all.at(-1)).toEqual({ status: 'success' });
    expect(all.filter((l) => l.total === 3000).map((l) => l.completed)).toEqual([
      undefined,
      600,
      1200,
      1800,
      2400,
      3000,
    ]);
  });

  it('stops when the client disconnects midway: no model appears, and the next pull resumes', async () => {
    fake();
    const s = await start({ registry: [tiny], transferBytesPerSecond: 10_000 });
    const abort = new AbortController();
    const stream = lineReader(await open(s.url, '/api/pull', { model: 'tiny:1b' }, abort.signal));
    await stream.until((got) => got.some((l) => l.completed === 1200));
    abort.abort();
    await until(() => s.stats().active === 0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await names(s)).not.toContain('tiny:1b');
    expect(s.requests[0]!.outcome).toBe('aborted');
    const resumed = lineReader(await open(s.url, '/api/pull', { model: 'tiny:1b' }));
    const all = await resumed.until(() => false);
    expect(all[1]).toMatchObject({ total: 3000, completed: 1200 });
    expect(all.at(-1)).toEqual({ status: 'success' });
    expect(await names(s)).toContain('tiny:1b');
  });

  it('applies faults: an error line after two lines leaves no model', async () => {
    const s = await start({
      registry: [tiny],
      faults: [
        { route: '/api/pull', fault: { kind: 'error-line', afterChunks: 2, error: 'boom' } },
      ],
    });
    const got = lines((await send(s.url, '/api/pull', { body: { model: 'tiny:1b' } })).text);
    expect(got).toHaveLength(3);
    expect(got[2]).toEqual({ error: 'boom' });
    expect(await names(s)).not.toContain('tiny:1b');
    expect(s.stats().faults).toEqual({ 'error-line': 1 });
  });
});

describe('/api/push', () => {
  it('streams retrieving manifest, pushing <digest> progress, pushing manifest, success; then it can be pulled back', async () => {
    const s = await start({ registry: [] });
    await send(s.url, '/api/create', { body: { model: 'me/mine', from: 'llama3.2' } });
    const got = lines((await send(s.url, '/api/push', { body: { model: 'me/mine' } })).text);
    expect(got[0]).toEqual({ status: 'retrieving manifest' });
    expect(got.slice(-2)).toEqual([{ status: 'pushing manifest' }, { status: 'success' }]);
    for (const line of got.slice(1, -2)) {
      expect(line.status).toBe(`pushing ${(line.digest as string).slice(7, 19)}`);
      expect(line.completed).toBe(line.total);
    }
    await send(s.url, '/api/delete', { method: 'DELETE', body: { model: 'me/mine' } });
    const back = await send(s.url, '/api/pull', { body: { model: 'me/mine', stream: false } });
    expect(back.text).toBe('{"status":"success"}');
    expect(await names(s)).toContain('me/mine:latest');
  });

  it('answers 400 "model is required" and an error line for a model it does not have', async () => {
    const s = await start();
    const none = await send(s.url, '/api/push', { body: {} });
    expect([none.status, JSON.parse(none.text)]).toEqual([400, { error: 'model is required' }]);
    const missing = lines((await send(s.url, '/api/push', { body: { model: 'me/nope' } })).text);
    expect(missing.slice(0, 2)).toEqual([
      { status: 'retrieving manifest' },
      { status: "couldn't retrieve manifest" },
    ]);
    expect(missing[2]!.error).toMatch(
      /^open .*\/manifests\/registry\.ollama\.ai\/me\/nope\/latest: no such file or directory$/,
    );
  });
});

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
    expect(show.modelfile).toContain('SYSTEM """You are terse."""\n');
    expect(await names(s)).toEqual(expect.arrayContaining(['terse:latest', 'llama3.2:latest']));
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

  it('applies faults: a 503 status before anything is created', async () => {
    const s = await start({
      faults: [{ route: '/api/create', sequence: [{ kind: 'status', status: 503 }] }],
    });
    const res = await send(s.url, '/api/create', { body: { model: 'x', from: 'llama3.2' } });
    expect(res.status).toBe(503);
    expect(await names(s)).not.toContain('x:latest');
  });
});

describe('/api/delete and /api/copy', () => {
  it('deletes with 200 and an empty body; the model leaves /api/tags and /api/show, its runner stays in /api/ps until it expires', async () => {
    const s = await start();
    await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: false },
    });
    const res = await send(s.url, '/api/delete', { method: 'DELETE', body: { model: 'llama3.2' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBeUndefined();
    expect(res.body.length).toBe(0);
    expect(await names(s)).not.toContain('llama3.2:latest');
    expect((await send(s.url, '/api/show', { body: { model: 'llama3.2' } })).status).toBe(404);
    expect(await names(s, '/api/ps')).toEqual(['llama3.2:latest']);
    const again = await send(s.url, '/api/delete', {
      method: 'DELETE',
      body: { model: 'llama3.2' },
    });
    expect([again.status, JSON.parse(again.text)]).toEqual([
      404,
      { error: "model 'llama3.2' not found" },
    ]);
  });

  it('copies under a second name that serves chat, with 200 and an empty body', async () => {
    const s = await start();
    const res = await send(s.url, '/api/copy', {
      body: { source: 'llama3.2', destination: 'gpt-3.5-turbo' },
    });
    expect([res.status, res.body.length]).toEqual([200, 0]);
    expect(await names(s)).toEqual(
      expect.arrayContaining(['gpt-3.5-turbo:latest', 'llama3.2:latest']),
    );
    const chat = await send(s.url, '/api/chat', {
      body: { model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'hi' }], stream: false },
    });
    expect(JSON.parse(chat.text).model).toBe('gpt-3.5-turbo');
  });

  it("answers Ollama's texts for a missing source and invalid names", async () => {
    const s = await start();
    const cases: [object, number, string][] = [
      [{ source: 'nope', destination: 'x' }, 404, 'model "nope" not found'],
      [{ source: '', destination: 'x' }, 400, 'source "" is invalid'],
      [{ source: 'llama3.2', destination: 'a b' }, 400, 'destination "a b" is invalid'],
    ];
    for (const [body, status, error] of cases) {
      const res = await send(s.url, '/api/copy', { body });
      expect([res.status, JSON.parse(res.text)]).toEqual([status, { error }]);
    }
    for (const [model, error] of [
      ['', 'model is required'],
      ['a b', 'name "a b" is invalid'],
    ]) {
      const del = await send(s.url, '/api/delete', { method: 'DELETE', body: { model } });
      expect([del.status, JSON.parse(del.text)]).toEqual([400, { error }]);
    }
    expect((await send(s.url, '/api/delete', { body: { model: 'llama3.2' } })).status).toBe(405);
  });
});

describe('/api/blobs/:digest', () => {
  it('answers HEAD 404 then 200 once uploaded, 201 on upload and 200 when already there', async () => {
    const s = await start();
    const bytes = Buffer.from('adapter bytes');
    const digest = sha256(bytes);
    expect((await send(s.url, `/api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);
    const post = () => fetch(`${s.url}/api/blobs/${digest}`, { method: 'POST', body: bytes });
    expect((await post()).status).toBe(201);
    expect((await send(s.url, `/api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
    expect((await post()).status).toBe(200);
  });

  it('answers 400 when the bytes do not match the digest, or the digest is malformed', async () => {
    const s = await start();
    const claimed = `sha256:${'0'.repeat(64)}`;
    const res = await fetch(`${s.url}/api/blobs/${claimed}`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: `digest mismatch, expected "${claimed}", got "${sha256(Buffer.from('x'))}"`,
    });
    const bad = await fetch(`${s.url}/api/blobs/md5:abc`, { method: 'POST', body: 'x' });
    expect([bad.status, await bad.json()]).toEqual([400, { error: 'invalid digest format' }]);
    expect((await send(s.url, `/api/blobs/${claimed}`, { method: 'HEAD' })).status).toBe(404);
  });

  it('matches fault rules on the /api/blobs/:digest pattern', async () => {
    const s = await start({
      faults: [{ route: '/api/blobs/:digest', fault: { kind: 'status', status: 500 } }],
    });
    const res = await send(s.url, `/api/blobs/sha256:${'1'.repeat(64)}`, { method: 'HEAD' });
    expect(res.status).toBe(500);
    expect(s.stats().byRoute['/api/blobs/:digest']).toBe(1);
  });
});
