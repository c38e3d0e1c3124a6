import { describe, expect, it } from 'vitest';
import { fixture, fixtureJson, fixtureLines, lines, send, user } from './__fixtures__/client';
import { keysOf, shapeOf } from './__fixtures__/shape';
import { simPerTest } from './__fixtures__/sim-per-test';
import { startOllamaSim } from './sim';

const start = simPerTest();

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
