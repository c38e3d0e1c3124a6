import { describe, expect, it } from 'vitest';
import { chat, fixture, lines, send, user } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import { fixtureBody, parseFixture } from './fixtures';

// Which recording answers a request whose body is not exactly a recorded one: only a compatible
// one (2xx, same model, same effective stream mode, tools on both sides or neither); otherwise the
// simulator answers from the request's own content, as Ollama would.
const start = simPerTest();

const NDJSON = 'application/x-ndjson';
const recordedBody = (file: string) => fixture(file).request.body as Record<string, unknown>;

describe('fixture replay of a request that differs from every recording', () => {
  it('answers an ordinary chat itself rather than with an error recorded for the same model', async () => {
    const sim = await start({
      fixtures: [fixture('11-chat-400-bad-keep-alive.json'), fixture('14-chat-tool-calls.json')],
    });
    const res = await send(sim.url, '/api/chat', {
      body: chat({ messages: user('Hello there'), stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(NDJSON);
    expect(lines(res.text).at(-1)).toMatchObject({ model: 'llama3.2', done: true });
    // The error still answers its own request.
    const exact = await send(sim.url, '/api/chat', {
      body: recordedBody('11-chat-400-bad-keep-alive.json'),
    });
    expect(exact.status).toBe(400);
    expect(sim.stats()).toMatchObject({ replayed: 1, replayMisses: 1 });
  });

  it('answers a streamed tool request itself rather than with a plain answer recorded without streaming', async () => {
    const sim = await start({
      fixtures: [fixture('01-chat-nonstream.json'), fixture('14-chat-tool-calls.json')],
    });
    const tools = recordedBody('14-chat-tool-calls.json');
    const res = await send(sim.url, '/api/chat', { body: { ...tools, stream: true } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(NDJSON);
    expect(res.text).not.toContain('Rayleigh');
    // Another question with the same tools, not streamed, gets the tool-call recording...
    const other = await send(sim.url, '/api/chat', {
      body: { ...tools, messages: user('Weather in Oslo?') },
    });
    // (`stream: false` is in the recorded body, so the spread keeps it.)
    expect(other.body.equals(fixtureBody(fixture('14-chat-tool-calls.json')))).toBe(true);
    // ...and one without tools the plain recording.
    const plain = await send(sim.url, '/api/chat', { body: chat({ stream: false }) });
    expect(plain.body.equals(fixtureBody(fixture('01-chat-nonstream.json')))).toBe(true);
    expect(sim.stats()).toMatchObject({ replayed: 2, replayMisses: 1 });
  });

  it('answers a request without tools itself rather than with a recorded tool call', async () => {
    const sim = await start({ fixtures: [fixture('14-chat-tool-calls.json')] });
    const res = await send(sim.url, '/api/chat', { body: chat({ stream: false, tools: [] }) });
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.text) as { message: Record<string, unknown> };
    expect(answer.message).not.toHaveProperty('tool_calls');
    expect(sim.stats().replayMisses).toBe(1);
  });

  it('streams to a request that leaves `stream` out rather than sending the whole answer recorded for `stream: false`', async () => {
    const sim = await start({ fixtures: [fixture('01-chat-nonstream.json')] });
    const res = await send(sim.url, '/api/chat', { body: chat() });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(NDJSON);
    expect(lines(res.text).length).toBeGreaterThan(1);
    const whole = await send(sim.url, '/api/chat', { body: chat({ stream: false }) });
    expect(whole.body.equals(fixtureBody(fixture('01-chat-nonstream.json')))).toBe(true);
    expect(sim.stats()).toMatchObject({ replayed: 1, replayMisses: 1 });
  });

  it('takes a missing `stream` as false on the /v1 routes, as the OpenAI API does', async () => {
    const recorded = parseFixture({
      request: { method: 'POST', path: '/v1/chat/completions', body: chat() },
      response: { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' },
    });
    const sim = await start({ fixtures: [recorded] });
    const whole = await send(sim.url, '/v1/chat/completions', {
      body: chat({ messages: user('hi'), stream: false }),
    });
    expect(whole.text).toBe('{"a":1}');
    const streamed = await send(sim.url, '/v1/chat/completions', {
      body: chat({ messages: user('hi'), stream: true }),
    });
    expect(streamed.headers['content-type']).toContain('text/event-stream');
  });

  it('counts nothing for a request whose method and path have no fixture', async () => {
    const sim = await start({ fixtures: [fixture('01-chat-nonstream.json')] });
    await send(sim.url, '/api/tags');
    expect(sim.stats()).toMatchObject({ replayed: 0, replayMisses: 0 });
  });
});

/** A recorded non-streamed chat of `model` asked with `extra`, whose answer is `message`. */
const recordedChat = (extra: object, message: object, model = 'llama3.2') =>
  parseFixture({
    request: { method: 'POST', path: '/api/chat', body: chat({ model, stream: false, ...extra }) },
    response: {
      status: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ model, message: { role: 'assistant', ...message }, done: true }),
    },
  });

const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
};

describe('fixture replay of a request for structured output or thinking', () => {
  it('answers a JSON-mode or schema request itself rather than with a free-text recording', async () => {
    const sim = await start({ fixtures: [fixture('01-chat-nonstream.json')] });
    for (const format of ['json', SCHEMA]) {
      const res = await send(sim.url, '/api/chat', {
        body: chat({ messages: user('Name a city'), stream: false, format }),
      });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('Rayleigh');
      const answer = JSON.parse(res.text) as { message: { content: string } };
      expect(JSON.parse(answer.message.content)).toBeTypeOf('object');
    }
    // The same on /v1, where the format is `response_format`.
    const v1 = await send(sim.url, '/v1/chat/completions', {
      body: chat({ messages: user('Name a city'), response_format: { type: 'json_object' } }),
    });
    expect(v1.status).toBe(200);
    expect(sim.stats()).toMatchObject({ replayed: 0, replayMisses: 2 });
  });

  it('serves a schema recording only to a request with the same schema, and never a free-text request', async () => {
    const recorded = recordedChat({ format: SCHEMA }, { content: '{"city":"Oslo"}' });
    const sim = await start({ fixtures: [recorded] });
    const same = await send(sim.url, '/api/chat', {
      // The same schema, its keys in another order: the recording fits.
      body: chat({
        messages: user('Another city?'),
        stream: false,
        format: { required: ['city'], properties: SCHEMA.properties, type: 'object' },
      }),
    });
    expect(same.body.equals(fixtureBody(recorded))).toBe(true);
    const other = await send(sim.url, '/api/chat', {
      body: chat({
        messages: user('A number?'),
        stream: false,
        format: { type: 'object', properties: { n: { type: 'number' } } },
      }),
    });
    expect(other.text).not.toContain('Oslo');
    const jsonMode = await send(sim.url, '/api/chat', {
      body: chat({ messages: user('A number?'), stream: false, format: 'json' }),
    });
    expect(jsonMode.text).not.toContain('Oslo');
    const plain = await send(sim.url, '/api/chat', {
      body: chat({ messages: user('Hello'), stream: false }),
    });
    expect(plain.text).not.toContain('Oslo');
    expect(sim.stats()).toMatchObject({ replayed: 1, replayMisses: 3 });
  });

  it('answers a thinking request itself rather than with a recording made without thinking', async () => {
    const recorded = recordedChat({}, { content: 'Recorded plain answer.' }, 'qwen3:4b');
    const sim = await start({ fixtures: [recorded] });
    const res = await send(sim.url, '/api/chat', {
      body: chat({ model: 'qwen3:4b', messages: user('Think first'), stream: false, think: true }),
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('Recorded plain answer.');
    const answer = JSON.parse(res.text) as { message: { thinking?: string } };
    expect(answer.message.thinking).toBeTypeOf('string');
    expect(sim.stats()).toMatchObject({ replayed: 0, replayMisses: 1 });
  });

  it('serves a recording with thinking only to a request that asks for thinking', async () => {
    const recorded = recordedChat(
      { think: true },
      { content: 'Recorded answer.', thinking: 'Recorded thought.' },
      'qwen3:4b',
    );
    // Made with `think` left out, yet its answer thinks (a thinking model's default).
    const implicit = recordedChat(
      {},
      { content: 'Implicit answer.', thinking: 'Implicit thought.' },
      'qwen3:4b',
    );
    for (const fixtures of [[recorded], [implicit]]) {
      const sim = await start({ fixtures });
      const off = await send(sim.url, '/api/chat', {
        body: chat({
          model: 'qwen3:4b',
          messages: user('Just answer'),
          stream: false,
          think: false,
        }),
      });
      expect(off.status).toBe(200);
      expect(off.text).not.toContain('thought.');
      const on = await send(sim.url, '/api/chat', {
        body: chat({ model: 'qwen3:4b', messages: user('Think'), stream: false, think: 'high' }),
      });
      expect(on.body.equals(fixtureBody(fixtures[0]!))).toBe(true);
      expect(sim.stats()).toMatchObject({ replayed: 1, replayMisses: 1 });
      await sim.close();
    }
  });

  it('serves a request that leaves `think` out a recording made without it, whatever it answered', async () => {
    // A thinking model thinks by default: its recording made without `think` carries thinking.
    const implicit = recordedChat(
      {},
      { content: 'Implicit answer.', thinking: 'Implicit thought.' },
      'qwen3:4b',
    );
    const off = recordedChat({ think: false }, { content: 'Answer without thought.' }, 'qwen3:4b');
    const sim = await start({ fixtures: [off, implicit] });
    const res = await send(sim.url, '/api/chat', {
      body: chat({ model: 'qwen3:4b', messages: user('Anything'), stream: false }),
    });
    // Not the `think: false` recording listed first: the request left thinking to the model.
    expect(res.body.equals(fixtureBody(implicit))).toBe(true);
    expect(sim.stats()).toMatchObject({ replayed: 1, replayMisses: 0 });
  });

  it('answers a request that leaves `think` out itself rather than with a `think: false` recording', async () => {
    const off = recordedChat({ think: false }, { content: 'Answer without thought.' }, 'qwen3:4b');
    const sim = await start({ fixtures: [off] });
    const res = await send(sim.url, '/api/chat', {
      body: chat({ model: 'qwen3:4b', messages: user('Anything'), stream: false }),
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('Answer without thought.');
    expect(sim.stats()).toMatchObject({ replayed: 0, replayMisses: 1 });
  });

  it('serves `think: false` a recording that said false, or left it out and answered without thinking', async () => {
    const said = recordedChat({ think: false }, { content: 'Said false.' }, 'qwen3:4b');
    const plain = recordedChat({}, { content: 'Left out.' }, 'qwen3:4b');
    for (const recorded of [said, plain]) {
      const sim = await start({ fixtures: [recorded] });
      const res = await send(sim.url, '/api/chat', {
        body: chat({ model: 'qwen3:4b', messages: user('Quick'), stream: false, think: false }),
      });
      expect(res.body.equals(fixtureBody(recorded))).toBe(true);
      await sim.close();
    }
  });

  it('compares `reasoning_effort` on /v1 the same way', async () => {
    const recorded = parseFixture({
      request: {
        method: 'POST',
        path: '/v1/chat/completions',
        body: chat({ model: 'qwen3:4b', messages: user('Recorded') }),
      },
      response: {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: '{"choices":[{"message":{"content":"Recorded.","reasoning":"Thought."}}]}',
      },
    });
    const sim = await start({ fixtures: [recorded] });
    const unset = await send(sim.url, '/v1/chat/completions', {
      body: chat({ model: 'qwen3:4b', messages: user('Another') }),
    });
    expect(unset.body.equals(fixtureBody(recorded))).toBe(true);
    const none = await send(sim.url, '/v1/chat/completions', {
      body: chat({ model: 'qwen3:4b', messages: user('Another'), reasoning_effort: 'none' }),
    });
    expect(none.status).toBe(200);
    expect(none.text).not.toContain('Thought.');
    const high = await send(sim.url, '/v1/chat/completions', {
      body: chat({ model: 'qwen3:4b', messages: user('Another'), reasoning_effort: 'high' }),
    });
    expect(high.body.equals(fixtureBody(recorded))).toBe(true);
    expect(sim.stats()).toMatchObject({ replayed: 2, replayMisses: 1 });
  });
});
