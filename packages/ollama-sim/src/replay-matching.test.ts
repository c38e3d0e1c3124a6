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
