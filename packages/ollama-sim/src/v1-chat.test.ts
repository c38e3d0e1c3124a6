import { describe, expect, it } from 'vitest';
import { chat, send } from './__fixtures__/client';
import { keysOf } from './__fixtures__/shape';
import { simPerTest } from './__fixtures__/sim-per-test';
import { type Completion, complete, PATH, WEATHER_TOOL } from './__fixtures__/v1-chat';

const start = simPerTest();

describe('POST /v1/chat/completions', () => {
  it('answers a chat.completion with the fields of Ollama OpenAI layer, in its order', async () => {
    const s = await start();
    const before = Math.floor(Date.now() / 1000);
    const res = await send(s.url, PATH, { body: chat() });
    const after = Math.floor(Date.now() / 1000);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.text.endsWith('}\n')).toBe(true);
    const body = JSON.parse(res.text) as Completion;
    expect(keysOf(body)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'system_fingerprint',
      'choices',
      'usage',
    ]);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'llama3.2',
      system_fingerprint: 'fp_ollama',
    });
    expect(body.id).toMatch(/^chatcmpl-\d{1,3}$/);
    // Unix seconds of the answer: the second may turn between the request and this check.
    expect(body.created).toBeGreaterThanOrEqual(before);
    expect(body.created).toBeLessThanOrEqual(after);
    expect(keysOf(body.choices[0])).toEqual(['index', 'message', 'finish_reason']);
    expect(keysOf(body.choices[0]!.message)).toEqual(['role', 'content']);
    expect(body.choices[0]!.finish_reason).toBe('stop');
    const u = body.usage;
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
  });

  it('answers what /api/chat answers for the same conversation, with its counts as usage', async () => {
    const s = await start();
    const body = await complete(s, chat());
    const native = JSON.parse(
      (await send(s.url, '/api/chat', { body: chat({ stream: false }) })).text,
    ) as { message: { content: string }; prompt_eval_count: number; eval_count: number };
    expect(body.choices[0]!.message.content).toBe(native.message.content);
    expect(body.usage.prompt_tokens).toBe(native.prompt_eval_count);
    expect(body.usage.completion_tokens).toBe(native.eval_count);
  });

  it('answers a tool call with a call_ id and the arguments as a JSON string', async () => {
    const s = await start();
    const body = await complete(s, {
      ...chat({ messages: [{ role: 'user', content: 'What is the weather in Paris?' }] }),
      tools: [WEATHER_TOOL],
    });
    const choice = body.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('');
    const call = choice.message.tool_calls![0]!;
    expect(keysOf(call)).toEqual(['id', 'index', 'type', 'function']);
    expect(call.id).toMatch(/^call_[a-z0-9]+$/);
    expect(call).toMatchObject({ index: 0, type: 'function' });
    expect(call.function.name).toBe('get_current_weather');
    expect(typeof call.function.arguments).toBe('string');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris', unit: 'celsius' });
  });

  it('answers an assistant turn that carried tool calls, and the tool result, in text', async () => {
    const s = await start();
    const body = await complete(s, {
      model: 'llama3.2',
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_current_weather', arguments: '{"location":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18 degrees' },
      ],
    });
    expect(body.choices[0]!.finish_reason).toBe('stop');
    expect(body.choices[0]!.message.content.length).toBeGreaterThan(0);
  });
});
