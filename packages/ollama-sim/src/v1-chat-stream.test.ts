import { describe, expect, it, vi } from 'vitest';
import { chat, open, send, settlesSoon } from './__fixtures__/client';
import { keysOf } from './__fixtures__/shape';
import { simPerTest } from './__fixtures__/sim-per-test';
import { deltas, sseData, sseEvents } from './__fixtures__/sse';
import { complete, PATH, WEATHER_TOOL } from './__fixtures__/v1-chat';

const start = simPerTest();

describe('POST /v1/chat/completions', () => {
  it('streams a role delta first, one content delta per token, a finish chunk, then [DONE]', async () => {
    const s = await start();
    const whole = await complete(s, chat());
    const res = await send(s.url, PATH, { body: chat({ stream: true }) });
    expect(res.headers['content-type']).toBe('text/event-stream');
    const data = sseData(res.text);
    expect(data.at(-1)).toBe('[DONE]');
    const events = sseEvents(res.text);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(new Set(events.map((e) => e.created)).size).toBe(1);
    expect(events.every((e) => e.object === 'chat.completion.chunk')).toBe(true);
    const ds = deltas(res.text);
    expect(ds[0]).toMatchObject({ role: 'assistant' });
    expect(ds.slice(1, -1).every((d) => !('role' in d))).toBe(true);
    expect(ds.map((d) => d.content ?? '').join('')).toBe(whole.choices[0]!.message.content);
    expect(ds.length - 1).toBe(whole.usage.completion_tokens);
    const last = events.at(-1) as { choices: unknown[]; usage?: unknown };
    expect(last.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    expect(last.usage).toBeUndefined();
  });

  it('adds a usage chunk with empty choices before [DONE] when stream_options.include_usage is set', async () => {
    const s = await start();
    const whole = await complete(s, chat());
    const res = await send(s.url, PATH, {
      body: chat({ stream: true, stream_options: { include_usage: true } }),
    });
    const events = sseEvents(res.text);
    const usage = events.at(-1)!;
    expect(keysOf(usage)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'system_fingerprint',
      'choices',
      'usage',
    ]);
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual(whole.usage);
    expect(events.slice(0, -1).every((e) => !('usage' in e))).toBe(true);
  });

  it('frames the same events when the stream arrives split inside events and characters', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = await start({ reply: () => 'Un café, très noir.' });
    const whole = (await send(s.url, PATH, { body: chat({ stream: true }) })).text;
    s.setFaults([{ route: PATH, fault: { kind: 'split', every: 37, gapMs: 5 } }]);
    const pending = send(s.url, PATH, { body: chat({ stream: true }) });
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    while (!settled) await vi.advanceTimersByTimeAsync(5);
    const res = await pending;
    expect(res.chunks.length).toBeGreaterThan(sseData(whole).length);
    expect(res.chunks.some((c) => !c.toString('latin1').endsWith('\n\n'))).toBe(true);
    expect(deltas(res.text)).toEqual(deltas(whole));
    expect(
      deltas(res.text)
        .map((d) => d.content ?? '')
        .join(''),
    ).toBe('Un café, très noir.');
  });

  it('paces one event per token at tokensPerSecond, on fake time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = await start({ tokensPerSecond: 10, responseTokens: { min: 5, max: 5 } });
    // As in Ollama the headers leave with the first event, one token time after the start.
    const opening = open(s.url, PATH, chat({ stream: true }));
    expect(await settlesSoon(opening)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    const stream = await opening;
    expect(deltas((await stream.next())!.toString())[0]).toMatchObject({ role: 'assistant' });
    const second = stream.next();
    expect(await settlesSoon(second)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(deltas((await second)!.toString())).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(300);
    const { chunks } = await stream.rest();
    expect(sseData(Buffer.concat(chunks).toString()).at(-1)).toBe('[DONE]');
    expect(s.stats().streams).toBe(1);
  });

  it('streams a tool call as deltas keyed by index with v1ToolCalls split: id, type and name first, then argument pieces', async () => {
    const s = await start({ v1ToolCalls: 'split' });
    const request = {
      ...chat({ messages: [{ role: 'user', content: 'What is the weather in Paris?' }] }),
      tools: [WEATHER_TOOL],
    };
    const whole = await complete(s, request);
    const res = await send(s.url, PATH, { body: { ...request, stream: true } });
    const calls = deltas(res.text).flatMap(
      (d) => (d.tool_calls ?? []) as { index: number; id?: string; function: Json }[],
    );
    type Json = { name?: string; arguments?: string };
    expect(calls[0]).toMatchObject({
      index: 0,
      id: whole.choices[0]!.message.tool_calls![0]!.id,
      type: 'function',
      function: { name: 'get_current_weather', arguments: '' },
    });
    const pieces = calls.slice(1);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.every((p) => p.index === 0 && p.id === undefined)).toBe(true);
    const args = pieces.map((p) => p.function.arguments).join('');
    expect(args).toBe(whole.choices[0]!.message.tool_calls![0]!.function.arguments);
    const events = sseEvents(res.text);
    expect(
      (events.at(-1) as { choices: { finish_reason: string }[] }).choices[0]!.finish_reason,
    ).toBe('tool_calls');
  });
});
