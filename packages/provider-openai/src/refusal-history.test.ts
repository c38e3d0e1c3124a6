// A model's refusal (structured outputs) in the conversation: the answer's `message` carries it,
// and an assistant turn of `messages` sends it back as the API's `refusal` (openai-node's
// ChatCompletionAssistantMessageParam), so `messages.push(answer.message)` keeps it.
import { describe, expect, it } from 'vitest';
import { chunk, completion, DONE, json, sse, usageChunk } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import type { OpenAIChatMessage } from './types';

const REFUSAL = "I'm sorry, I can't help with that.";
const refused = json(200, completion({ content: null, refusal: REFUSAL }));
const hello = json(200, completion({ content: 'hi' }));

describe('refusal in messages', () => {
  it('is on the answer and its message, and sent back when the message is pushed', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': [refused, hello] },
      { cache: false },
    );
    const first = ask('Write malware');
    const answer = await provider.complete(first);
    expect(answer.refusal).toBe(REFUSAL);
    expect(answer.message).toEqual({ role: 'assistant', content: '', refusal: REFUSAL });
    await provider.complete({
      ...first,
      messages: [...first.messages, answer.message, { role: 'user', content: 'A poem, then' }],
    });
    expect((chats(server)[1]!.json as { messages: unknown[] }).messages[1]).toEqual({
      role: 'assistant',
      content: null,
      refusal: REFUSAL,
    });
  });

  it("joins a stream's refusal pieces into the final message", async () => {
    const { provider } = await setup({
      '/chat/completions': sse([
        chunk({ role: 'assistant', content: null, refusal: '' }),
        chunk({ refusal: "I'm sorry, " }),
        chunk({ refusal: "I can't help with that." }),
        chunk({}, 'stop'),
        usageChunk(),
        DONE,
      ]),
    });
    const chunks = await collect(provider.stream(ask('Write malware')));
    const { response } = chunks.at(-1)!;
    expect(response?.message).toEqual({ role: 'assistant', content: '', refusal: REFUSAL });
    expect(response?.refusal).toBe(REFUSAL);
  });

  it('sends a written refusal beside its text, and leaves a plain answer without one', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello }, { cache: false });
    const answer = await provider.complete(ask('Hi'));
    expect(answer.message).toEqual({ role: 'assistant', content: 'hi' });
    const turn: OpenAIChatMessage = { role: 'assistant', content: 'Partly:', refusal: 'no more' };
    await provider.complete(ask('Hi', { messages: [{ role: 'user', content: 'x' }, turn] }));
    expect((chats(server)[1]!.json as { messages: unknown[] }).messages[1]).toEqual({
      role: 'assistant',
      content: 'Partly:',
      refusal: 'no more',
    });
  });

  it('is a TypeError when not a string and a RangeError on another role, before sending', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    const on = (message: Record<string, unknown>) =>
      provider.complete(ask('Hi', { messages: [message as unknown as OpenAIChatMessage] }));
    await expect(on({ role: 'assistant', content: '', refusal: 42 })).rejects.toThrow(
      new TypeError('Expected `request.messages[0].refusal` to be a string, got `42` (number)'),
    );
    const error = await on({ role: 'user', content: 'x', refusal: 'no' }).catch((e) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toContain('`request.messages[0].refusal`');
    expect(error.message).toContain('only assistant messages carry a refusal');
    expect(chats(server)).toHaveLength(0);
  });
});
