import { describe, expect, it } from 'vitest';
import { lines, send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import { deltas, sseData, sseEvents } from './__fixtures__/sse';
import { type OllamaSim, startOllamaSim } from './sim';

// Where streamed tool calls go. Natively it depends on the model's chat template: Ollama's own
// templates and parsers stream each call in a line of its own as soon as it is parsed (ChatHandler);
// a model served with the GGUF's chat template gets what llama-server accumulated on its final
// `done: true` line (handleNativeChat, llm/llama_server.go Chat). On /v1, Ollama's ChatWriter
// (middleware/openai.go, openai.ToStreamChunks/ToToolCalls) writes every call of a native line
// whole in one chunk, its arguments one JSON string.

const start = simPerTest();

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['location', 'unit'],
    },
  },
};
const ASK = {
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  tools: [WEATHER],
};

/** The same model served with each chat template, by two simulators, closed after `use`. */
async function withBoth(use: (ollama: OllamaSim, gguf: OllamaSim) => Promise<void>): Promise<void> {
  const gguf = {
    name: 'llama3.2',
    capabilities: ['completion', 'tools'],
    chatTemplate: 'gguf',
  } as const;
  const sims = await Promise.all([startOllamaSim(), startOllamaSim({ models: [gguf] })]);
  try {
    await use(sims[0], sims[1]);
  } finally {
    await Promise.all(sims.map((s) => s.close()));
  }
}

describe('native streamed tool calls', () => {
  it('come in a done:false line of their own with an Ollama template, then the final line', async () => {
    const s = await start();
    const all = lines((await send(s.url, '/api/chat', { body: ASK })).text);
    const withCalls = all.filter((l) => (l.message as { tool_calls?: unknown }).tool_calls);
    expect(withCalls).toHaveLength(1);
    expect(withCalls[0]!.done).toBe(false);
    expect(all.at(-1)).toMatchObject({ done: true, message: { role: 'assistant', content: '' } });
    expect(all.at(-1)!.message as object).not.toHaveProperty('tool_calls');
  });

  it('come on the final done:true line with a GGUF chat template, the whole answer unchanged', async () => {
    await withBoth(async (ollama, gguf) => {
      const all = lines((await send(gguf.url, '/api/chat', { body: ASK })).text);
      expect(all).toHaveLength(1);
      const done = all[0]!;
      expect(Object.keys(done).slice(0, 5)).toEqual([
        'model',
        'created_at',
        'message',
        'done',
        'done_reason',
      ]);
      const whole = (s: OllamaSim) =>
        send(s.url, '/api/chat', { body: { ...ASK, stream: false } }).then(
          (r) => JSON.parse(r.text).message,
        );
      expect(done).toMatchObject({ done: true, done_reason: 'stop', message: await whole(gguf) });
      expect(await whole(gguf)).toEqual(await whole(ollama));
    });
  });
});

describe('/v1 streamed tool calls', () => {
  const v1 = { ...ASK, stream: true };

  it('are written whole by default: every call complete in one chunk, arguments as one string', async () => {
    const s = await start();
    const whole = JSON.parse(
      (await send(s.url, '/v1/chat/completions', { body: { ...ASK, stream: false } })).text,
    );
    const res = await send(s.url, '/v1/chat/completions', { body: v1 });
    const ds = deltas(res.text);
    const calls = ds.filter((d) => d.tool_calls !== undefined);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: whole.choices[0].message.tool_calls,
    });
    expect(Object.keys(calls[0]!)).toEqual(['role', 'content', 'tool_calls']);
    expect(JSON.parse(whole.choices[0].message.tool_calls[0].function.arguments)).toEqual({
      location: 'Paris',
      unit: 'c',
    });
    const events = sseEvents(res.text);
    expect(
      events.map((e) => (e.choices as { finish_reason: unknown }[])[0]?.finish_reason),
    ).toEqual([null, 'tool_calls']);
    expect(sseData(res.text).at(-1)).toBe('[DONE]');
  });

  it('look the same whatever the model’s chat template', async () => {
    await withBoth(async (ollama, gguf) => {
      const stream = async (s: OllamaSim) =>
        (await send(s.url, '/v1/chat/completions', { body: v1 })).text.replace(
          /"created":\d+/g,
          '"created":0',
        );
      expect(await stream(gguf)).toBe(await stream(ollama));
    });
  });
});

describe('the toolCalls option', () => {
  const TIME = {
    type: 'function',
    function: {
      name: 'get_current_time',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  };
  const BOTH = {
    ...ASK,
    messages: [{ role: 'user', content: 'What is the weather and the time in Paris?' }],
    tools: [WEATHER, TIME],
  };
  type Call = { id?: string; function: { index: number; name: string } };
  const callsOf = (all: Record<string, unknown>[]) =>
    all.flatMap((l) => (l.message as { tool_calls?: Call[] }).tool_calls ?? []);

  it('makes `parallel` calls indexed 0 to n-1, to the tools the message names in turn, each in a line of its own', async () => {
    const s = await start({ toolCalls: { parallel: 3 } });
    const all = lines((await send(s.url, '/api/chat', { body: BOTH })).text);
    const withCalls = all.filter((l) => (l.message as { tool_calls?: unknown }).tool_calls);
    expect(withCalls.map((l) => (l.message as { tool_calls: Call[] }).tool_calls.length)).toEqual([
      1, 1, 1,
    ]);
    const calls = callsOf(all);
    expect(calls.map((c) => [c.function.index, c.function.name])).toEqual([
      [0, 'get_current_weather'],
      [1, 'get_current_time'],
      [2, 'get_current_weather'],
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(3);
    const whole = JSON.parse(
      (await send(s.url, '/api/chat', { body: { ...BOTH, stream: false } })).text,
    );
    expect(whole.message.tool_calls).toEqual(calls);
    // /v1: a chunk for each native line, the calls of the whole answer alike.
    const v1 = { ...BOTH, stream: true };
    const chunks = deltas((await send(s.url, '/v1/chat/completions', { body: v1 })).text).filter(
      (d) => d.tool_calls !== undefined,
    );
    expect(chunks.map((d) => (d.tool_calls as { index: number }[]).map((c) => c.index))).toEqual([
      [0],
      [1],
      [2],
    ]);
  });

  it('sends every call on the final line with a GGUF chat template', async () => {
    const gguf = { name: 'llama3.2', capabilities: ['completion', 'tools'], chatTemplate: 'gguf' };
    const s = await start({ toolCalls: { parallel: 2 }, models: [gguf as never] });
    const all = lines((await send(s.url, '/api/chat', { body: BOTH })).text);
    expect(all).toHaveLength(1);
    expect(callsOf(all).map((c) => c.function.index)).toEqual([0, 1]);
  });

  it('leaves the ids out of native answers with ids: false, as servers before 0.12.10 send them; /v1 still has them', async () => {
    const s = await start({ toolCalls: { parallel: 2, ids: false } });
    const streamed = callsOf(lines((await send(s.url, '/api/chat', { body: BOTH })).text));
    const whole = JSON.parse(
      (await send(s.url, '/api/chat', { body: { ...BOTH, stream: false } })).text,
    ).message.tool_calls as Call[];
    for (const calls of [streamed, whole]) {
      expect(calls.map((c) => Object.keys(c))).toEqual([['function'], ['function']]);
      expect(calls.map((c) => c.function.index)).toEqual([0, 1]);
    }
    const v1 = JSON.parse(
      (await send(s.url, '/v1/chat/completions', { body: { ...BOTH, stream: false } })).text,
    );
    for (const call of v1.choices[0].message.tool_calls) expect(call.id).toMatch(/^call_/);
  });
});
