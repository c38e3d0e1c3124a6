import diagnostics from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import { lines, send, sharedFixtures } from './__fixtures__/client';
import { keysOf, shapeOf } from './__fixtures__/shape';
import { simPerTest } from './__fixtures__/sim-per-test';
import { isSimClosedError } from './errors';
import type { Fixture } from './fixtures';
import { startOllamaSim } from './sim';

const fixtures = new Map<string, Fixture>(sharedFixtures().map((x) => [x.file, x.fixture]));
const fixture = (file: string) => fixtures.get(file)!;
const fixtureJson = (file: string) =>
  JSON.parse(fixture(file).response.body!) as Record<string, unknown>;
const fixtureLines = (file: string) => lines(fixture(file).response.body!);

const start = simPerTest();

const user = (content: string) => [{ role: 'user', content }];

describe('startOllamaSim', () => {
  it('listens on 127.0.0.1 on a free port when no port is given', async () => {
    const s = await start();
    expect(s.host).toBe('127.0.0.1');
    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
  });

  it('answers GET / with "Ollama is running" as text/plain; charset=utf-8', async () => {
    const s = await start();
    const res = await send(s.url, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe('Ollama is running');
  });

  it('answers HEAD / with Content-Length 17 and no body', async () => {
    const s = await start();
    const res = await send(s.url, '/', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('17');
    expect(res.body.length).toBe(0);
  });

  it('answers an unknown path with 404 text/plain "404 page not found"', async () => {
    const s = await start();
    const res = await send(s.url, '/api/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.text).toBe('404 page not found');
  });

  it('redirects a trailing slash like gin (307 for POST, 301 for GET)', async () => {
    const s = await start();
    const post = await send(s.url, '/api/chat/', { body: {} });
    expect(post.status).toBe(307);
    expect(post.headers.location).toBe('/api/chat');
    const get = await send(s.url, '/api/tags/');
    expect(get.status).toBe(301);
    expect(get.headers.location).toBe('/api/tags');
    expect(get.text).toBe('<a href="/api/tags">Moved Permanently</a>.\n\n');
  });

  it('answers a wrong method with 405 "405 method not allowed"', async () => {
    const s = await start();
    const res = await send(s.url, '/api/chat');
    expect(res.status).toBe(405);
    expect(res.text).toBe('405 method not allowed');
  });

  it('answers 403 with an empty body when the Host header is not local', async () => {
    const s = await start();
    const res = await send(s.url, '/api/version', { headers: { host: 'evil.example.com' } });
    expect(res.status).toBe(403);
    expect(res.body.length).toBe(0);
    const ok = await send(s.url, '/api/version', { headers: { host: 'ollama.internal:11434' } });
    expect(ok.status).toBe(200);
  });

  it('reports the configured version from /api/version, also for HEAD', async () => {
    const s = await start({ version: '0.33.0-rc2' });
    const res = await send(s.url, '/api/version');
    expect(res.text).toBe('{"version":"0.33.0-rc2"}');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const head = await send(s.url, '/api/version', { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('/api/chat', () => {
  it('answers stream:false with the fixture shape (fields, order, types)', async () => {
    const s = await start();
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('Why is the sky blue?'), stream: false },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(res.body.length));
    const body = JSON.parse(res.text);
    expect(shapeOf(body)).toEqual(shapeOf(fixtureJson('01-chat-nonstream.json')));
    expect(body.model).toBe('llama3.2');
    expect(body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    expect(body.total_duration).toBeGreaterThanOrEqual(
      body.load_duration + body.prompt_eval_duration + body.eval_duration,
    );
  });

  it('streams NDJSON lines with the fixture shape when stream is omitted', async () => {
    const s = await start();
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('Why is the sky blue?') },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.text.endsWith('\n')).toBe(true);
    const got = lines(res.text);
    const want = fixtureLines('02-chat-stream.json');
    expect(got.length).toBeGreaterThan(2);
    for (const line of got.slice(0, -1)) expect(shapeOf(line)).toEqual(shapeOf(want[0]));
    expect(shapeOf(got.at(-1))).toEqual(shapeOf(want.at(-1)));
    const final = got.at(-1)!;
    expect(final.done).toBe(true);
    expect((final.message as { content: string }).content).toBe('');
    expect(final.eval_count).toBe(got.length - 1);
    const text = got
      .slice(0, -1)
      .map((l) => (l.message as { content: string }).content)
      .join('');
    expect(text.length).toBeGreaterThan(0);
  });

  it('returns the same text for the same request and other text for another seed', async () => {
    const s = await start();
    const body = { model: 'llama3.2', messages: user('Tell me a story'), stream: false };
    const a = JSON.parse((await send(s.url, '/api/chat', { body })).text);
    const b = JSON.parse((await send(s.url, '/api/chat', { body })).text);
    expect(b.message.content).toBe(a.message.content);
    const seeded = { ...body, options: { seed: 42 } };
    const c = JSON.parse((await send(s.url, '/api/chat', { body: seeded })).text);
    const d = JSON.parse((await send(s.url, '/api/chat', { body: seeded })).text);
    expect(c.message.content).toBe(d.message.content);
    expect(c.message.content).not.toBe(a.message.content);
    const other = await startOllamaSim({ seed: 7 });
    try {
      const e = JSON.parse((await send(other.url, '/api/chat', { body })).text);
      expect(e.message.content).not.toBe(a.message.content);
    } finally {
      await other.close();
    }
  });

  it('streams the same pieces as the non-streamed answer', async () => {
    const s = await start();
    const base = { model: 'llama3.2', messages: user('Same answer?') };
    const whole = JSON.parse(
      (await send(s.url, '/api/chat', { body: { ...base, stream: false } })).text,
    );
    const streamed = lines((await send(s.url, '/api/chat', { body: base })).text);
    const joined = streamed.map((l) => (l.message as { content: string }).content).join('');
    expect(joined).toBe(whole.message.content);
  });

  it('uses the reply hook text, split into token pieces', async () => {
    const s = await start({ reply: ({ prompt }) => `You said: ${prompt}` });
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('ping') },
    });
    const got = lines(res.text);
    expect(got.map((l) => (l.message as { content: string }).content).join('')).toBe(
      'You said: ping',
    );
    expect(got.length).toBeGreaterThan(3);
  });

  it('stops at num_predict with done_reason "length"', async () => {
    const s = await start();
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('hi'), stream: false, options: { num_predict: 3 } },
    });
    const body = JSON.parse(res.text);
    expect(body.done_reason).toBe('length');
    expect(body.eval_count).toBe(3);
  });

  it('escapes <, > and & as Go does', async () => {
    const s = await start({ reply: () => 'a <b> & c' });
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('x'), stream: false },
    });
    expect(res.text).toContain('"content":"a \\u003cb\\u003e \\u0026 c"');
  });

  it('returns tool_calls with id, index and object arguments like the fixture', async () => {
    const s = await start();
    const req = fixture('14-chat-tool-calls.json').request.body as Record<string, unknown>;
    const res = await send(s.url, '/api/chat', { body: req });
    const body = JSON.parse(res.text);
    expect(shapeOf(body)).toEqual(shapeOf(fixtureJson('14-chat-tool-calls.json')));
    const call = body.message.tool_calls[0];
    expect(call.id).toMatch(/^call_[a-z0-9]{8}$/);
    expect(call.function).toEqual({
      index: 0,
      name: 'get_current_weather',
      arguments: { location: 'Paris', format: 'celsius' },
    });
  });

  it('answers in text when the user message names none of the tools, or after a tool result', async () => {
    const s = await start();
    const req = fixture('14-chat-tool-calls.json').request.body as { messages: unknown[] };
    const joke = await send(s.url, '/api/chat', {
      body: { ...req, messages: user('Tell me a joke') },
    });
    expect(JSON.parse(joke.text).message.tool_calls).toBeUndefined();
    const after = await send(s.url, '/api/chat', {
      body: {
        ...req,
        messages: [
          ...req.messages,
          { role: 'assistant', content: '', tool_calls: [] },
          { role: 'tool', content: '21 degrees', tool_name: 'get_current_weather' },
        ],
      },
    });
    const body = JSON.parse(after.text);
    expect(body.message.tool_calls).toBeUndefined();
    expect(body.message.content.length).toBeGreaterThan(0);
  });

  it('streams tool calls in a done:false chunk before the final chunk', async () => {
    const s = await start();
    const req = { ...(fixture('14-chat-tool-calls.json').request.body as object), stream: true };
    const got = lines((await send(s.url, '/api/chat', { body: req })).text);
    expect(got).toHaveLength(2);
    expect(got[0]!.done).toBe(false);
    expect((got[0]!.message as { tool_calls: unknown[] }).tool_calls).toHaveLength(1);
    expect(got[1]!.done).toBe(true);
  });

  it('thinks by default on a thinking model and not when think is false', async () => {
    const s = await start();
    const on = JSON.parse(
      (
        await send(s.url, '/api/chat', {
          body: { model: 'qwen3:4b', messages: user('x'), stream: false },
        })
      ).text,
    );
    expect(keysOf(on.message)).toEqual(['role', 'content', 'thinking']);
    const off = JSON.parse(
      (
        await send(s.url, '/api/chat', {
          body: { model: 'qwen3:4b', messages: user('x'), stream: false, think: false },
        })
      ).text,
    );
    expect(keysOf(off.message)).toEqual(['role', 'content']);
  });

  it('answers JSON content matching the schema when format is a JSON schema', async () => {
    const s = await start();
    const format = {
      type: 'object',
      properties: { city: { type: 'string' }, sunny: { type: 'boolean' } },
      required: ['city', 'sunny'],
    };
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('Weather in Oslo?'), stream: false, format },
    });
    expect(JSON.parse(JSON.parse(res.text).message.content)).toEqual({ city: 'Oslo', sunny: true });
  });

  it('loads the model and answers done_reason "load" when messages are empty', async () => {
    const s = await start();
    const res = await send(s.url, '/api/chat', { body: { model: 'llama3.2', messages: [] } });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(res.text);
    expect(keysOf(body)).toEqual(['model', 'created_at', 'message', 'done', 'done_reason']);
    expect(body.done_reason).toBe('load');
    const unload = JSON.parse(
      (await send(s.url, '/api/chat', { body: { model: 'llama3.2', messages: [], keep_alive: 0 } }))
        .text,
    );
    expect(unload.done_reason).toBe('unload');
  });
});

describe('errors before the stream', () => {
  const cases: [string, unknown, number, string][] = [
    [
      'an unknown model',
      { model: 'llama3.3:70b', messages: user('hi'), stream: true },
      404,
      "model 'llama3.3:70b' not found",
    ],
    [
      'a unitless keep_alive',
      { model: 'llama3.2', messages: user('hi'), keep_alive: '10' },
      400,
      'time: missing unit in duration "10"',
    ],
    ['no model', { messages: user('hi') }, 400, 'model is required'],
    [
      'think on a non-thinking model',
      { model: 'llama3.2', messages: user('hi'), think: true },
      400,
      '"llama3.2" does not support thinking',
    ],
    [
      'tools on a model without tools',
      { model: 'nomic-embed-text', messages: user('hi') },
      400,
      '"nomic-embed-text" does not support chat',
    ],
    [
      'a string num_ctx',
      { model: 'llama3.2', messages: user('hi'), options: { num_ctx: '8192' } },
      500,
      'option "num_ctx" must be of type integer',
    ],
    [
      'a draft_num_predict that is not a number',
      { model: 'llama3.2', messages: user('hi'), options: { draft_num_predict: 'four' } },
      500,
      'option "draft_num_predict" must be of type integer',
    ],
    [
      'top_logprobs out of range',
      { model: 'llama3.2', messages: user('hi'), top_logprobs: 21 },
      400,
      'top_logprobs must be between 0 and 20',
    ],
    [
      'messages of the wrong type',
      { model: 'llama3.2', messages: 'hi' },
      400,
      'json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message',
    ],
    [
      'a message that is not an object',
      { model: 'llama3.2', messages: ['hi'] },
      400,
      'json: cannot unmarshal string into Go struct field ChatRequest.messages of type api.Alias',
    ],
    [
      'a message content that is not a string',
      { model: 'llama3.2', messages: [{ role: 'user', content: 1 }] },
      400,
      'json: cannot unmarshal number into Go struct field ChatRequest.messages.content of type string',
    ],
    [
      'a keep_alive of the wrong type',
      { model: 'llama3.2', messages: user('hi'), keep_alive: true },
      400,
      "Unsupported type: 'bool'",
    ],
    [
      'a think that is neither a boolean nor a string',
      { model: 'qwen3:4b', messages: user('hi'), think: 1 },
      400,
      'think must be a boolean or string ("high", "medium", "low", "max", true, or false)',
    ],
    [
      'an unknown think level',
      { model: 'qwen3:4b', messages: user('hi'), think: 'extreme' },
      400,
      'invalid think value: "extreme" (must be "high", "medium", "low", "max", true, or false)',
    ],
  ];
  for (const [name, body, status, text] of cases) {
    it(`answers ${status} ${JSON.stringify(text)} as JSON when the chat request has ${name}`, async () => {
      const s = await start();
      const res = await send(s.url, '/api/chat', { body });
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(res.text)).toEqual({ error: text });
    });
  }

  it('ignores options api.Options does not list, numa among them, whatever their type', async () => {
    const s = await start();
    const res = await send(s.url, '/api/chat', {
      body: {
        model: 'llama3.2',
        messages: user('hi'),
        stream: false,
        options: { numa: 'yes', nope: [] },
      },
    });
    expect(res.status).toBe(200);
  });

  it('names the full model name when tools are not supported', async () => {
    const s = await start({ models: [{ name: 'gemma2:2b', family: 'gemma2' }] });
    const res = await send(s.url, '/api/chat', {
      body: {
        model: 'gemma2:2b',
        messages: user('hi'),
        tools: [{ type: 'function', function: { name: 'f' } }],
      },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toBe(
      'registry.ollama.ai/library/gemma2:2b does not support tools',
    );
  });

  it('matches the 404 and 400 fixtures byte for byte', async () => {
    const s = await start();
    for (const file of ['10-chat-404-model-not-found.json', '11-chat-400-bad-keep-alive.json']) {
      const f = fixture(file);
      const res = await send(s.url, f.request.path, { body: f.request.body });
      expect(res.status).toBe(f.response.status);
      expect(res.text).toBe(f.response.body);
    }
  });

  it("answers Go's decoder texts for a missing or malformed body", async () => {
    const s = await start();
    const cases: [string, string][] = [
      ['', 'missing request body'],
      ['{"model": }', "invalid character '}' looking for beginning of value"],
      ['{"model":"llama3.2",}', "invalid character '}' looking for beginning of object key string"],
      ['{"model" "x"}', "invalid character '\"' after object key"],
      ['{"model":"x"', 'unexpected EOF'],
      ['[1]', 'json: cannot unmarshal array into Go value of type api.ChatRequest'],
    ];
    for (const [raw, text] of cases) {
      const res = await send(s.url, '/api/chat', { rawBody: raw });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text)).toEqual({ error: text });
    }
  });

  it('answers 404 "model \'\' not found" for generate without a model', async () => {
    const s = await start();
    const res = await send(s.url, '/api/generate', { body: { prompt: 'hi' } });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toEqual({ error: "model '' not found" });
  });

  it('answers 413 when the body is larger than maxBodyBytes', async () => {
    const s = await start({ maxBodyBytes: 1024 });
    const res = await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('x'.repeat(4096)) },
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual({ error: 'http: request body too large' });
  });
});

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

describe('/api/tags, /api/show, /api/ps', () => {
  it('lists models newest first with the fixture entry shape', async () => {
    const s = await start();
    const body = JSON.parse((await send(s.url, '/api/tags')).text);
    const want = fixtureJson('04-tags.json') as { models: unknown[] };
    for (const m of body.models) expect(shapeOf(m)).toEqual(shapeOf(want.models[0]));
    const dates = body.models.map((m: { modified_at: string }) => Date.parse(m.modified_at));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    expect(body.models.map((m: { name: string }) => m.name)).toContain('llama3.2:latest');
  });

  it('shows the trained context length under <arch>.context_length with the fixture fields', async () => {
    const s = await start({
      models: [
        {
          name: 'mistral:7b',
          family: 'mistral',
          architecture: 'llama',
          contextLength: 32768,
          numCtx: 8192,
        },
      ],
    });
    const res = await send(s.url, '/api/show', { body: { model: 'mistral:7b' } });
    const body = JSON.parse(res.text);
    const want = fixtureJson('05-show-llama3.2.json');
    const optional = new Set(['license']);
    expect(keysOf(body)).toEqual(keysOf(want).filter((k) => !optional.has(k)));
    expect(body.model_info['general.architecture']).toBe('llama');
    expect(body.model_info['llama.context_length']).toBe(32768);
    expect(keysOf(body.model_info)).toEqual([...keysOf(body.model_info)].sort());
    expect(body.parameters).toContain(`${'num_ctx'.padEnd(30)} 8192`);
    expect(body.tensors.length).toBeGreaterThan(100);
  });

  it('shows llama3.2 with exactly the fixture top-level fields and parameters', async () => {
    const s = await start();
    const res = await send(s.url, '/api/show', { body: { name: 'llama3.2' } });
    const body = JSON.parse(res.text);
    const want = fixtureJson('05-show-llama3.2.json');
    expect(keysOf(body)).toEqual(keysOf(want));
    // Over 2 KiB, Go's net/http switches to chunked encoding.
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(body.parameters).toBe(want.parameters);
    expect(body.details).toEqual(want.details);
    expect(body.capabilities).toEqual(want.capabilities);
  });

  it('answers 404 for show of an unknown model', async () => {
    const s = await start();
    const res = await send(s.url, '/api/show', { body: { model: 'nope' } });
    expect(res.status).toBe(404);
    // ShowHandler names the model it looked up, completed with its tag.
    expect(JSON.parse(res.text)).toEqual({ error: "model 'nope:latest' not found" });
  });

  it('lists loaded runners in /api/ps with their effective context_length', async () => {
    const s = await start();
    expect((await send(s.url, '/api/ps')).text).toBe('{"models":[]}');
    await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('hi'), stream: false, options: { num_ctx: 8192 } },
    });
    const body = JSON.parse((await send(s.url, '/api/ps')).text);
    const want = fixtureJson('08-ps.json') as { models: unknown[] };
    expect(body.models).toHaveLength(1);
    expect(shapeOf(body.models[0])).toEqual(shapeOf(want.models[0]));
    expect(body.models[0].context_length).toBe(8192);
    expect(body.models[0].name).toBe('llama3.2:latest');
  });

  it('reloads the model when num_ctx changes and unloads it after keep_alive 0', async () => {
    const s = await start();
    const chat = (options: object, extra: object = {}) =>
      send(s.url, '/api/chat', {
        body: { model: 'llama3.2', messages: user('hi'), stream: false, options, ...extra },
      });
    await chat({ num_ctx: 4096 });
    await chat({ num_ctx: 4096 });
    expect(s.stats().loads).toBe(1);
    await chat({ num_ctx: 8192 });
    expect(s.stats().loads).toBe(2);
    await chat({ num_ctx: 8192 }, { keep_alive: 0 });
    expect(JSON.parse((await send(s.url, '/api/ps')).text).models).toEqual([]);
  });
});

describe('/api/embed', () => {
  it('answers L2-normalised vectors with the fixture shape', async () => {
    const s = await start();
    const f = fixture('17-embed.json');
    const res = await send(s.url, '/api/embed', { body: f.request.body });
    const body = JSON.parse(res.text);
    expect(shapeOf(body)).toEqual(shapeOf(fixtureJson('17-embed.json')));
    expect(body.embeddings).toHaveLength(2);
    for (const v of body.embeddings as number[][]) {
      expect(v).toHaveLength(768);
      expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    }
    const again = JSON.parse((await send(s.url, '/api/embed', { body: f.request.body })).text);
    expect(again.embeddings).toEqual(body.embeddings);
  });

  it('cuts and re-normalises to dimensions', async () => {
    const s = await start();
    const body = JSON.parse(
      (
        await send(s.url, '/api/embed', {
          body: { model: 'nomic-embed-text', input: 'x', dimensions: 8 },
        })
      ).text,
    );
    expect(body.embeddings[0]).toHaveLength(8);
    expect(Math.hypot(...body.embeddings[0])).toBeCloseTo(1, 5);
  });

  it('answers {"model","embeddings":[]} for empty input', async () => {
    const s = await start();
    const res = await send(s.url, '/api/embed', { body: { model: 'nomic-embed-text', input: [] } });
    expect(res.text).toBe('{"model":"nomic-embed-text","embeddings":[]}');
  });

  it('answers 400 for over-long input when truncate is false', async () => {
    const s = await start();
    const res = await send(s.url, '/api/embed', {
      body: { model: 'nomic-embed-text', input: 'word '.repeat(4000), truncate: false },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ error: 'the input length exceeds the context length' });
  });
});

describe('/api/embeddings (legacy)', () => {
  it('answers one embedding for a prompt', async () => {
    const s = await start();
    const res = await send(s.url, '/api/embeddings', {
      body: { model: 'nomic-embed-text', prompt: 'x' },
    });
    const body = JSON.parse(res.text);
    expect(keysOf(body)).toEqual(['embedding']);
    expect(body.embedding).toHaveLength(768);
  });
});

describe('OllamaSim', () => {
  it('keeps a bounded request log with secrets redacted', async () => {
    const s = await start({ maxLogEntries: 2 });
    await send(s.url, '/api/version', { headers: { authorization: 'Bearer secret' } });
    await send(s.url, '/api/tags');
    await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('hi'), stream: false },
    });
    // Status and outcome are filled in when the server side of the response closes.
    await vi.waitFor(() => expect(s.requests[1]?.outcome).toBe('completed'));
    const log = s.requests;
    expect(log.map((e) => e.path)).toEqual(['/api/tags', '/api/chat']);
    expect(log[1]!.status).toBe(200);
    expect(log[1]!.body).toEqual({ model: 'llama3.2', messages: user('hi'), stream: false });
    expect(JSON.stringify(s.stats())).not.toContain('secret');
    await s.close();
    const again = await start({ maxLogEntries: 5 });
    await send(again.url, '/api/version', { headers: { authorization: 'Bearer secret' } });
    expect(again.requests[0]!.headers.authorization).toBe('[redacted]');
    await send(again.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('x'.repeat(70_000)), stream: false },
    });
    expect(again.requests[1]!.body).toMatch(/^\[\d+ bytes not logged\]$/);
  });

  it('reports stats as a JSON-serialisable snapshot', async () => {
    const s = await start();
    await send(s.url, '/api/chat', { body: { model: 'llama3.2', messages: user('hi') } });
    await send(s.url, '/nope');
    await vi.waitFor(() => expect(s.stats().active).toBe(0));
    const stats = s.stats();
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    expect(stats.requests).toBe(2);
    expect(stats.byStatus).toEqual({ '200': 1, '404': 1 });
    expect(stats.streams).toBe(1);
    expect(stats.loadedModels).toEqual(['llama3.2:latest']);
  });

  it('calls onRequest listeners until unsubscribed', async () => {
    const s = await start();
    const seen: string[] = [];
    const published: unknown[] = [];
    const onMessage = (m: unknown) => published.push(m);
    diagnostics.subscribe('x:ollama-sim:request', onMessage);
    const off = s.onRequest((e) => seen.push(`${e.path} ${e.status}`));
    await send(s.url, '/api/version');
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    off();
    diagnostics.unsubscribe('x:ollama-sim:request', onMessage);
    await send(s.url, '/api/version');
    expect(seen).toEqual(['/api/version 200']);
    expect(published).toMatchObject([{ path: '/api/version', status: 200, outcome: 'completed' }]);
  });

  it('answers and reports a warning naming the event when an onRequest or onFault listener throws', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const s = await start({
        faults: [{ route: '/api/version', sequence: [{ kind: 'latency', ms: 0 }] }],
      });
      s.onRequest(() => {
        throw new Error('request listener bug');
      });
      s.onFault(() => {
        throw new Error('fault listener bug');
      });
      const seen: number[] = [];
      s.onRequest((e) => seen.push(e.status));
      expect((await send(s.url, '/api/version')).status).toBe(200);
      expect((await send(s.url, '/api/version')).status).toBe(200);
      await vi.waitFor(() => expect(seen).toEqual([200, 200]));
      const messages = warn.mock.calls.map((call) => call[0]);
      expect(messages).toContain(
        "@x/ollama-sim: a 'request' listener threw: Error: request listener bug",
      );
      expect(messages).toContain(
        "@x/ollama-sim: a 'fault' listener threw: Error: fault listener bug",
      );
      expect(warn.mock.calls[0]![1]).toMatchObject({
        type: 'XListenerError',
        code: 'X_OLLAMA_SIM_LISTENER_ERROR',
      });
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses connections after stop() and answers again on the same port after restart()', async () => {
    const s = await start();
    const port = s.port;
    await s.stop();
    await expect(send(s.url, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await s.restart();
    expect(s.port).toBe(port);
    expect((await send(s.url, '/')).status).toBe(200);
  });

  it('stays closed when close() runs while restart() is on its way', async () => {
    const count = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    await vi.waitFor(() => expect(count()).toBe(0));
    const s = await startOllamaSim();
    await s.stop();
    const restarting = s.restart();
    await s.close();
    await expect(restarting).rejects.toMatchObject({ code: 'X_OLLAMA_SIM_CLOSED' });
    expect(s.stats().listening).toBe(false);
    await expect(send(s.url, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await vi.waitFor(() => expect(count()).toBe(0));
  });

  // The client's promise has no handler until after the await: vitest fails the run on an
  // unhandled rejection, so these also check the drop reaches the client only after it resolved.
  for (const end of ['stop', 'close'] as const) {
    it(`${end}() counts a stream it cuts as aborted before it resolves, and the client sees it after`, async () => {
      const s = await start({ tokensPerSecond: 1 });
      const seen: string[] = [];
      s.onRequest((e) => seen.push(e.outcome));
      const pending = send(s.url, '/api/chat', {
        body: { model: 'llama3.2', messages: user('hi') },
      });
      await vi.waitFor(() => expect(s.stats().active).toBe(1));
      await s[end]();
      expect(s.stats()).toMatchObject({ active: 0, aborted: 1 });
      expect(s.requests[0]?.outcome).toBe('aborted');
      expect(seen).toEqual(['aborted']);
      await expect(pending).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    });
  }

  it('leaves no server handle behind after close()', async () => {
    const count = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    await vi.waitFor(() => expect(count()).toBe(0));
    const s = await startOllamaSim();
    await send(s.url, '/api/chat', { body: { model: 'llama3.2', messages: user('hi') } });
    expect(count()).toBe(1);
    await s.close();
    await s.close();
    await vi.waitFor(() => expect(count()).toBe(0));
    expect(() => s.setFaults([])).toThrow(expect.objectContaining({ code: 'X_OLLAMA_SIM_CLOSED' }));
    await s.restart().catch((e: unknown) => expect(isSimClosedError(e)).toBe(true));
  });
});
