import { describe, expect, it } from 'vitest';
import { lines, send } from './__fixtures__/client';
import { exceedsContextText } from './__fixtures__/llama-server-refusal';
import { simPerTest } from './__fixtures__/sim-per-test';
import type { OllamaSim } from './sim';

// A prompt longer than the window, as Ollama handles it. ChatHandler (server/routes.go) puts the
// Modelfile's SYSTEM first unless the chat starts with a system message; chatPrompt
// (server/prompt.go) drops the oldest messages, keeping the system ones and the last message, until
// the prompt has at most num_ctx tokens (not with `truncate: false`); then the runner
// (llamaServerRunner.completionPromptForRequest, llm/llama_server.go) cuts a prompt of more than
// num_ctx - 1 tokens to num_keep + its tail when context shift is on (`shift`, else the model),
// answers 400 when it is off, and hands a prompt with images or `truncate: false` to llama-server,
// whose refusal is the error text. With one token per character, a message weighs 4 + its length,
// and a chat prompt 4 + its messages.

const start = simPerTest();

const OVERFLOW =
  'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length';

const sim = () =>
  start({
    tokensPerChar: 1,
    models: [
      { name: 'llama3.2' },
      { name: 'strict', contextOverflow: 'error' },
      { name: 'sys', system: 'abcd' },
    ],
  });

async function call(s: OllamaSim, path: string, body: Record<string, unknown>) {
  const res = await send(s.url, path, { body: { stream: false, ...body } });
  return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> };
}

/** What the answer reveals of the prompt: its size and the text seeded from what was kept. */
async function seen(s: OllamaSim, body: Record<string, unknown>) {
  const { status, body: answer } = await call(s, '/api/chat', body);
  const message = answer.message as { content: string } | undefined;
  return { status, tokens: answer.prompt_eval_count, content: message?.content };
}

const msg = (role: string, content: string) => ({ role, content });
const SYSTEM = msg('system', 'be brief'); // 12
const CONVERSATION = [
  SYSTEM,
  msg('user', 'a'.repeat(400)), // 404
  msg('assistant', 'b'.repeat(400)), // 404
  msg('user', 'c'.repeat(100)), // 104
  msg('assistant', 'ok'), // 6
  msg('user', 'why?'), // 8
]; // 4 + 938 = 942 tokens
const options = { num_ctx: 512 };

describe('a chat longer than num_ctx', () => {
  it('drops its oldest messages and keeps the system message and the last one, as chatPrompt does', async () => {
    const s = await sim();
    const cut = await seen(s, { model: 'llama3.2', messages: CONVERSATION, options });
    // Without the first user message 4 + 12 + 522 = 538 > 512; without the assistant's too, 134.
    const kept = await seen(s, {
      model: 'llama3.2',
      messages: [SYSTEM, ...CONVERSATION.slice(3)],
      options,
    });
    expect(cut).toEqual({ status: 200, tokens: 134, content: kept.content });
    expect(kept.tokens).toBe(134);
    // A stream's final line reports the same count; each dropping chat is a truncated prompt.
    const streamed = lines(
      (
        await send(s.url, '/api/chat', {
          body: { model: 'llama3.2', messages: CONVERSATION, options },
        })
      ).text,
    );
    expect(streamed.at(-1)).toMatchObject({ done: true, prompt_eval_count: 134 });
    expect(s.stats().truncatedPrompts).toBe(2);
  });

  it('keeps every message up to exactly num_ctx tokens and drops the first one above it', async () => {
    const s = await sim();
    const chat = (last: number, extra: object = {}) =>
      seen(s, {
        model: 'llama3.2',
        messages: [msg('user', 'a'.repeat(400)), msg('user', 'b'.repeat(last))],
        options,
        ...extra,
      });
    // 4 + 404 + 103 = 511 tokens fit below num_ctx: the chat is unchanged.
    expect(await chat(99)).toMatchObject({ status: 200, tokens: 511 });
    expect(await chat(99, { truncate: false })).toEqual(await chat(99));
    expect(s.stats().truncatedPrompts).toBe(0);
    // 512: chatPrompt keeps both (<= num_ctx), the runner cuts it (> num_ctx - 1) to 512/2 + 2.
    expect(await chat(100)).toMatchObject({ status: 200, tokens: 258 });
    // 513: chatPrompt drops the first message.
    expect(await chat(101)).toMatchObject({ status: 200, tokens: 109 });
  });

  it('keeps every message of a chat that fits, the Modelfile SYSTEM first unless the chat starts with a system message', async () => {
    const s = await sim();
    const messages = [msg('user', 'hi'), msg('system', 'x'), msg('user', 'yo')];
    // 4 + SYSTEM (4 + 4) + 6 + 5 + 6.
    expect(await seen(s, { model: 'sys', messages })).toMatchObject({ status: 200, tokens: 29 });
    const own = [msg('system', 'x'), msg('user', 'yo')];
    expect(await seen(s, { model: 'sys', messages: own })).toMatchObject({ tokens: 15 });
    expect(s.stats().truncatedPrompts).toBe(0);
  });

  it("answers llama-server's 400 for the whole chat with truncate:false, and 400 without context shift", async () => {
    const s = await sim();
    const body = { model: 'llama3.2', messages: CONVERSATION, options };
    expect(await call(s, '/api/chat', body)).toMatchObject({ status: 200 });
    // Nothing dropped: the runner gets all 942 tokens and llama-server refuses them.
    expect(await call(s, '/api/chat', { ...body, truncate: false })).toEqual({
      status: 400,
      body: { error: exceedsContextText(942, 512) },
    });
    // The last message alone (4 + 12 + 604 tokens) still does not fit: with context shift the
    // runner cuts it; with `shift: false` (or a model without it) the runner refuses it.
    const alone = { ...body, messages: [SYSTEM, msg('user', 'a'.repeat(600))] };
    expect(await call(s, '/api/chat', alone)).toMatchObject({
      status: 200,
      body: { prompt_eval_count: 258 },
    });
    expect(await call(s, '/api/chat', { ...alone, shift: false })).toEqual({
      status: 400,
      body: { error: OVERFLOW },
    });
    expect(await call(s, '/api/chat', { ...alone, model: 'strict' })).toEqual({
      status: 400,
      body: { error: OVERFLOW },
    });
    // `shift: true` turns context shift on for that model too; messages are dropped either way.
    expect(await call(s, '/api/chat', { ...alone, model: 'strict', shift: true })).toMatchObject({
      status: 200,
      body: { prompt_eval_count: 258 },
    });
    expect(await call(s, '/api/chat', { ...body, shift: false })).toMatchObject({
      status: 200,
      body: { prompt_eval_count: 134 },
    });
  });
});

describe('a generate prompt longer than num_ctx', () => {
  const body = { model: 'llama3.2', prompt: 'a'.repeat(600), system: 'be brief', options };

  it('is cut by the runner with context shift, refused without it or with truncate:false', async () => {
    const s = await sim();
    // 12 + 600 + 8: the system prompt and the prompt are both kept, so only the runner truncates.
    expect(await call(s, '/api/generate', body)).toMatchObject({
      status: 200,
      body: { prompt_eval_count: 258 },
    });
    expect(await call(s, '/api/generate', { ...body, truncate: false })).toEqual({
      status: 400,
      body: { error: exceedsContextText(620, 512) },
    });
    expect(await call(s, '/api/generate', { ...body, shift: false })).toEqual({
      status: 400,
      body: { error: OVERFLOW },
    });
    expect(await call(s, '/api/generate', { ...body, truncate: false, shift: false })).toEqual({
      status: 400,
      body: { error: exceedsContextText(620, 512) },
    });
    expect(await call(s, '/api/generate', { ...body, model: 'strict', shift: true })).toMatchObject(
      { status: 200, body: { prompt_eval_count: 258 } },
    );
    expect(s.stats().truncatedPrompts).toBe(2);
  });
});
