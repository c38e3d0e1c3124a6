import { describe, expect, it } from 'vitest';
import { chat, send } from './__fixtures__/client';
import { keysOf } from './__fixtures__/shape';
import { simPerTest } from './__fixtures__/sim-per-test';
import { deltas, sseEvents } from './__fixtures__/sse';
import { type Completion, complete, PATH } from './__fixtures__/v1-chat';

const start = simPerTest();

describe('POST /v1/chat/completions', () => {
  it('answers JSON that parses for response_format json_object and json_schema', async () => {
    const s = await start();
    const object = await complete(s, chat({ response_format: { type: 'json_object' } }));
    expect(JSON.parse(object.choices[0]!.message.content)).toEqual(expect.any(Object));
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        population: { type: 'integer' },
        capital: { type: 'boolean' },
        size: { type: 'string', enum: ['small', 'large'] },
      },
      required: ['city', 'population', 'capital', 'size'],
    };
    const typed = await complete(
      s,
      chat({
        messages: [{ role: 'user', content: 'Tell me about Lyon.' }],
        response_format: { type: 'json_schema', json_schema: { name: 'city', schema } },
      }),
    );
    expect(JSON.parse(typed.choices[0]!.message.content)).toEqual({
      city: 'Lyon',
      population: 1,
      capital: true,
      size: 'small',
    });
    const streamed = await send(s.url, PATH, {
      body: chat({ stream: true, response_format: { type: 'json_object' } }),
    });
    const text = deltas(streamed.text)
      .map((d) => d.content ?? '')
      .join('');
    expect(JSON.parse(text)).toEqual(expect.any(Object));
  });

  it('returns logprobs in OpenAI shape when asked: one entry per token, top alternatives sorted', async () => {
    const s = await start();
    const plain = await complete(s, chat());
    expect(plain.choices[0]!.logprobs).toBeUndefined();
    const body = await complete(s, chat({ logprobs: true, top_logprobs: 3 }));
    const entries = body.choices[0]!.logprobs!.content;
    expect(entries.map((e) => e.token).join('')).toBe(body.choices[0]!.message.content);
    expect(entries).toHaveLength(body.usage.completion_tokens);
    for (const e of entries) {
      expect(keysOf(e)).toEqual(['token', 'logprob', 'bytes', 'top_logprobs']);
      expect(e.logprob).toBeLessThan(0);
      expect(e.bytes).toEqual([...Buffer.from(e.token, 'utf8')]);
      expect(e.top_logprobs).toHaveLength(3);
      expect(e.top_logprobs![0]).toEqual({ token: e.token, logprob: e.logprob, bytes: e.bytes });
      const values = e.top_logprobs!.map((t) => t.logprob);
      expect(values).toEqual([...values].sort((a, b) => b - a));
    }
    const res = await send(s.url, PATH, { body: chat({ stream: true, logprobs: true }) });
    const chunks = sseEvents(res.text).slice(0, -1) as {
      choices: { delta: { content: string }; logprobs: Completion['choices'][0]['logprobs'] }[];
    }[];
    for (const c of chunks) {
      const choice = c.choices[0]!;
      expect(choice.logprobs!.content).toHaveLength(1);
      expect(choice.logprobs!.content[0]!.token).toBe(choice.delta.content);
      expect(choice.logprobs!.content[0]!.top_logprobs).toBeUndefined();
    }
  });

  it('stops at max_tokens with finish_reason "length", and ignores max_completion_tokens as Ollama does', async () => {
    const s = await start();
    const body = await complete(s, chat({ max_tokens: 3 }));
    expect(body.choices[0]!.finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(3);
    // openai.ChatCompletionRequest has no max_completion_tokens: the answer is the unlimited one.
    const unlimited = await complete(s, chat());
    const ignored = await complete(s, chat({ max_completion_tokens: 3 }));
    expect(ignored.choices[0]!.finish_reason).toBe('stop');
    expect(ignored.usage.completion_tokens).toBe(unlimited.usage.completion_tokens);
    expect(ignored.usage.completion_tokens).toBeGreaterThan(3);
  });

  it('ends the answer before a stop sequence, as /api/chat does with options.stop', async () => {
    const s = await start({ reply: () => 'One fish. Two fish. Red fish.' });
    const body = await complete(s, chat({ stop: ['Red', 'Blue'] }));
    expect(body.choices[0]!.message.content).toBe('One fish. Two fish. ');
    expect(body.choices[0]!.finish_reason).toBe('stop');
    const one = await complete(s, chat({ stop: 'Two' }));
    expect(one.choices[0]!.message.content).toBe('One fish. ');
    const native = JSON.parse(
      (
        await send(s.url, '/api/chat', {
          body: chat({ stream: false, options: { stop: ['Red'] } }),
        })
      ).text,
    ) as { message: { content: string } };
    expect(native.message.content).toBe('One fish. Two fish. ');
  });

  it('gives the same answer for the same seed and another one for another seed', async () => {
    const s = await start();
    const a = await complete(s, chat({ seed: 1, temperature: 0.2 }));
    const b = await complete(s, chat({ seed: 1, temperature: 0.9 }));
    const c = await complete(s, chat({ seed: 2 }));
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
    expect(c.choices[0]!.message.content).not.toBe(a.choices[0]!.message.content);
  });

  it('reasons on a thinking model unless reasoning_effort is "none"', async () => {
    const s = await start();
    const thinking = await complete(s, chat({ model: 'qwen3:4b' }));
    expect(thinking.choices[0]!.message.reasoning).toEqual(expect.any(String));
    expect(keysOf(thinking.choices[0]!.message)).toEqual(['role', 'content', 'reasoning']);
    const none = await complete(s, chat({ model: 'qwen3:4b', reasoning_effort: 'none' }));
    expect(none.choices[0]!.message.reasoning).toBeUndefined();
    const res = await send(s.url, PATH, { body: chat({ model: 'qwen3:4b', stream: true }) });
    const ds = deltas(res.text);
    expect(ds[0]).toEqual({ role: 'assistant', content: '', reasoning: expect.any(String) });
    expect(ds.map((d) => d.reasoning ?? '').join('')).toBe(thinking.choices[0]!.message.reasoning);
  });

  it('reads content parts and base64 images, counting each image in prompt_tokens of a vision model', async () => {
    const s = await start({
      models: [{ name: 'llama3.2' }, { name: 'eyes', capabilities: ['completion', 'vision'] }],
    });
    const withImage = (model: string) => ({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Why is the sky blue?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    for (const [model, imageTokens] of [
      ['eyes', 768],
      ['llama3.2', 0],
    ] as const) {
      const text = await complete(s, chat({ model }));
      const parts = await complete(s, withImage(model));
      // One more message (the image part) of 4 template tokens, and the image's on a vision model.
      expect(parts.usage.prompt_tokens).toBe(text.usage.prompt_tokens + 4 + imageTokens);
    }
  });
});
