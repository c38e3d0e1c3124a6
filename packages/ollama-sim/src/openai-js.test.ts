import OpenAI, { APIError, NotFoundError, RateLimitError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultRule } from './faults';
import type { OllamaSimOptions } from './options';
import { type OllamaSim, startOllamaSim } from './sim';

// The official `openai` npm client against the simulator's /v1, on the real clock (the client's
// own timers and fetch). It only ever talks to the simulator on 127.0.0.1.

let sim: OllamaSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function client(
  options: OllamaSimOptions = {},
  extra: { maxRetries?: number; apiKey?: string } = {},
): Promise<OpenAI> {
  sim = await startOllamaSim(options);
  expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  return new OpenAI({
    baseURL: `${sim.url}/v1`,
    apiKey: extra.apiKey ?? 'sk-test-key',
    maxRetries: extra.maxRetries ?? 0,
  });
}

const messages = [{ role: 'user' as const, content: 'What is the weather in Paris?' }];
const weather = {
  type: 'function' as const,
  function: {
    name: 'get_current_weather',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius'] } },
      required: ['location', 'unit'],
    },
  },
};

describe('openai (official client) against /v1', () => {
  it('creates a chat completion', async () => {
    const openai = await client();
    const completion = await openai.chat.completions.create({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      max_tokens: 5,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.role).toBe('assistant');
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage!.completion_tokens).toBe(5);
    expect(sim!.requests.at(-1)!.headers.authorization).toBe('[redacted]');
  });

  it('streams a chat completion with a usage chunk at the end', async () => {
    const openai = await client();
    const whole = await openai.chat.completions.create({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Why is the sky blue?' }],
    });
    const stream = await openai.chat.completions.create({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(finish).toBe('stop');
    expect(usage).toEqual(whole.usage);
  });

  it('assembles a streamed tool call from its deltas', async () => {
    const openai = await client();
    const stream = openai.chat.completions.stream({
      model: 'llama3.2',
      messages,
      tools: [weather],
    });
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0]!;
    expect(call.id).toMatch(/^call_/);
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('not a function call');
    expect(call.function.name).toBe('get_current_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris', unit: 'celsius' });
  });

  it('reads the same stream when it arrives split inside events and characters', async () => {
    const faults: FaultRule[] = [
      { route: '/v1/chat/completions', fault: { kind: 'split', every: 29, gapMs: 1 } },
    ];
    const openai = await client({ faults, reply: () => 'Un café, très noir.' });
    const stream = await openai.chat.completions.create({
      model: 'llama3.2',
      messages,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Un café, très noir.');
  });

  it("reads Ollama's error mid-stream as one more empty chunk, and the stream's end", async () => {
    const faults: FaultRule[] = [
      {
        route: '/v1/chat/completions',
        fault: { kind: 'error-line', afterChunks: 2, error: 'runner died' },
      },
    ];
    const openai = await client({ faults });
    const stream = await openai.chat.completions.create({
      model: 'llama3.2',
      messages,
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(3);
    expect(chunks[2]).toMatchObject({ model: '', choices: [{ delta: { content: '' } }] });
    expect(chunks.every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
  });

  it("turns an error event mid-stream into an APIError (the opt-in style 'openai')", async () => {
    const faults: FaultRule[] = [
      {
        route: '/v1/chat/completions',
        fault: { kind: 'error-line', afterChunks: 2, error: 'runner died', style: 'openai' },
      },
    ];
    const openai = await client({ faults });
    const stream = await openai.chat.completions.create({
      model: 'llama3.2',
      messages,
      stream: true,
    });
    const seen: string[] = [];
    const read = async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    };
    const error = await read().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('runner died');
    expect(seen).toHaveLength(2);
  });

  it('creates embeddings as floats and as base64 decoded by the client', async () => {
    const openai = await client();
    const floats = await openai.embeddings.create({
      model: 'nomic-embed-text',
      input: ['a', 'b'],
      encoding_format: 'float',
    });
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0]!.embedding).toHaveLength(768);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    // Without encoding_format the client asks for base64 and decodes it to numbers itself.
    const decoded = await openai.embeddings.create({
      model: 'nomic-embed-text',
      input: ['a', 'b'],
    });
    expect(decoded.data.map((d) => d.embedding)).toEqual(
      floats.data.map((d) => d.embedding.map((v) => Math.fround(v))),
    );
    const raw = await openai.embeddings.create({
      model: 'nomic-embed-text',
      input: 'a',
      encoding_format: 'base64',
    });
    expect(typeof raw.data[0]!.embedding).toBe('string');
  });

  it('lists and retrieves models, and throws NotFoundError for an unknown one', async () => {
    const openai = await client();
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(['qwen2.5:7b', 'qwen3:4b', 'nomic-embed-text:latest', 'llama3.2:latest']);
    const model = await openai.models.retrieve('llama3.2:latest');
    expect(model).toMatchObject({ id: 'llama3.2:latest', object: 'model', owned_by: 'library' });
    await expect(openai.models.retrieve('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('surfaces a 429 of the quota as RateLimitError with its headers, code and type', async () => {
    const openai = await client({ quota: { requests: 1, windowMs: 60_000 } });
    await openai.models.retrieve('llama3.2');
    const error = await openai.chat.completions.create({ model: 'llama3.2', messages }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RateLimitError);
    const e = error as RateLimitError;
    expect(e.status).toBe(429);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.type).toBe('requests');
    expect(e.headers.get('x-ratelimit-limit-requests')).toBe('1');
    expect(e.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(Number(e.headers.get('retry-after-ms'))).toBeGreaterThan(59_000);
    expect(e.headers.get('retry-after')).toBe('60');
  });

  it('waits retry-after-ms and gets through once the window resets, on the real clock', async () => {
    const openai = await client({ quota: { requests: 1, windowMs: 200 } }, { maxRetries: 1 });
    await openai.models.list();
    const response = await openai.chat.completions
      .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.response.status).toBe(200);
    expect(response.response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const key = Object.keys(sim!.stats().quota)[0]!;
    expect(sim!.stats().quota[key]).toEqual({ admitted: 2, rejected: 1 });
  });
});
