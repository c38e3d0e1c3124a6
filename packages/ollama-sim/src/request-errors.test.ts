import { describe, expect, it } from 'vitest';
import { fixture, send, user } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

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
