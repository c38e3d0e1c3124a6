import { describe, expect, it } from 'vitest';
import { lines, send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

// Log probabilities on /api/chat and /api/generate, as Ollama's handlers write them
// (server/routes.go): a top-level `logprobs` array of api.Logprob (`token`, `logprob`, `bytes`,
// `top_logprobs` when asked) on each streamed line, after `done`; the whole answer carries every
// token's, gathered from those lines. The values are the ones /v1 gives for the same request.

const start = simPerTest();

interface Entry {
  token: string;
  logprob: number;
  bytes?: number[];
  top_logprobs?: { token: string; logprob: number; bytes?: number[] }[];
}

const CHAT = {
  model: 'qwen3:4b',
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
  options: { seed: 7 },
};
const GENERATE = { model: 'llama3.2', prompt: 'Why is the sky blue?', options: { seed: 7 } };

describe('logprobs on the native routes', () => {
  it('are absent unless asked for, and top_logprobs alone asks for nothing', async () => {
    const s = await start();
    for (const extra of [{}, { top_logprobs: 3 }]) {
      for (const stream of [false, true]) {
        const chat = await send(s.url, '/api/chat', { body: { ...CHAT, ...extra, stream } });
        const gen = await send(s.url, '/api/generate', { body: { ...GENERATE, ...extra, stream } });
        for (const line of [...lines(chat.text), ...lines(gen.text)]) {
          expect(line).not.toHaveProperty('logprobs');
        }
      }
    }
  });

  it('come on every streamed chat line of a token, thinking included, after done, with their alternatives', async () => {
    const s = await start();
    const body = { ...CHAT, logprobs: true, top_logprobs: 2 };
    const streamed = lines((await send(s.url, '/api/chat', { body })).text);
    const tokens = streamed.filter((l) => l.done === false);
    expect(tokens.some((l) => (l.message as { thinking?: string }).thinking)).toBe(true);
    for (const line of tokens) {
      expect(Object.keys(line)).toEqual(['model', 'created_at', 'message', 'done', 'logprobs']);
      const message = line.message as { content: string; thinking?: string };
      const [entry, ...more] = line.logprobs as Entry[];
      expect(more).toEqual([]);
      expect(entry!.token).toBe(message.thinking ?? message.content);
      expect(Object.keys(entry!)).toEqual(['token', 'logprob', 'bytes', 'top_logprobs']);
      expect(entry!.bytes).toEqual([...Buffer.from(entry!.token, 'utf8')]);
      expect(entry!.top_logprobs).toHaveLength(2);
      expect(entry!.top_logprobs![0]).toEqual({
        token: entry!.token,
        logprob: entry!.logprob,
        bytes: entry!.bytes,
      });
    }
    expect(streamed.at(-1)).toMatchObject({ done: true });
    expect(streamed.at(-1)).not.toHaveProperty('logprobs');

    // The whole answer: every line's entries in order, after done_reason and before the counters.
    const whole = JSON.parse(
      (await send(s.url, '/api/chat', { body: { ...body, stream: false } })).text,
    );
    expect(Object.keys(whole).slice(0, 7)).toEqual([
      'model',
      'created_at',
      'message',
      'done',
      'done_reason',
      'logprobs',
      'total_duration',
    ]);
    expect(whole.logprobs).toEqual(tokens.flatMap((l) => l.logprobs as Entry[]));
    expect(whole.logprobs).toHaveLength(whole.eval_count);
  });

  it('come on every streamed generate line and at the end of the whole answer, as /v1 gives them', async () => {
    const s = await start();
    const body = { ...GENERATE, logprobs: true };
    const streamed = lines((await send(s.url, '/api/generate', { body })).text);
    const tokens = streamed.filter((l) => l.done === false);
    for (const line of tokens) {
      expect(Object.keys(line)).toEqual(['model', 'created_at', 'response', 'done', 'logprobs']);
      const entries = line.logprobs as Entry[];
      expect(entries).toHaveLength(1);
      expect(entries[0]!.token).toBe(line.response);
      expect(entries[0]).not.toHaveProperty('top_logprobs');
    }
    const whole = JSON.parse(
      (await send(s.url, '/api/generate', { body: { ...body, stream: false } })).text,
    );
    expect(Object.keys(whole).at(-1)).toBe('logprobs');
    expect(Object.keys(whole).at(-2)).toBe('eval_duration');
    expect(whole.logprobs).toEqual(tokens.flatMap((l) => l.logprobs as Entry[]));
    expect((whole.logprobs as Entry[]).map((e) => e.token).join('')).toBe(whole.response);

    // Ollama's /v1 passes the runner's entries on: the same values for the same chat.
    const chat = { ...CHAT, logprobs: true, top_logprobs: 2 };
    const native = JSON.parse(
      (await send(s.url, '/api/chat', { body: { ...chat, stream: false } })).text,
    );
    const v1 = JSON.parse(
      (
        await send(s.url, '/v1/chat/completions', {
          body: {
            model: CHAT.model,
            messages: CHAT.messages,
            seed: 7,
            logprobs: true,
            top_logprobs: 2,
            stream: false,
          },
        })
      ).text,
    );
    expect(v1.choices[0].logprobs.content).toEqual(native.logprobs);
  });
});
