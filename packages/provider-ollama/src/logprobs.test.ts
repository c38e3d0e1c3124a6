// Log probabilities of chat and generate against @x/ollama-sim, which writes them where Ollama's
// handlers do: a top-level `logprobs` on each streamed line and on the whole answer. And
// `topLogprobs` alone, which Ollama ignores without a word, refused before sending.
import { describe, expect, it } from 'vitest';
import { simProvider } from './__fixtures__/sim-provider';
import type { ChatResponse, TokenLogprob } from './types';

const setup = simProvider();

/** A thinking model: its thinking tokens have log probabilities too. */
const CHAT = {
  model: 'qwen3:4b',
  messages: [{ role: 'user' as const, content: 'Why is the sky blue?' }],
  seed: 3,
};
const GENERATE = { model: 'llama3.2', prompt: 'Why is the sky blue?', seed: 3 };

/** Each entry is its token's, with `top` alternatives led by the token itself. */
function expectEntries(entries: readonly TokenLogprob[], top: number): void {
  for (const entry of entries) {
    expect(entry.logprob).toBeLessThan(0);
    expect(entry.bytes).toEqual([...Buffer.from(entry.token, 'utf8')]);
    if (top === 0) {
      expect(entry.topLogprobs).toBeUndefined();
      continue;
    }
    expect(entry.topLogprobs).toHaveLength(top);
    expect(entry.topLogprobs![0]).toEqual({
      token: entry.token,
      logprob: entry.logprob,
      bytes: entry.bytes,
    });
  }
}

/** The streamed chunks' entries, each chunk's its own token's, and the final response. */
async function streamed(
  chunks: AsyncIterable<{
    content: string;
    thinking: string | undefined;
    logprobs?: TokenLogprob[] | undefined;
    response: ChatResponse | undefined;
  }>,
): Promise<{ entries: TokenLogprob[]; response: ChatResponse }> {
  const entries: TokenLogprob[] = [];
  let response: ChatResponse | undefined;
  for await (const chunk of chunks) {
    if (chunk.response !== undefined) response = chunk.response;
    if (chunk.logprobs === undefined) continue;
    expect(chunk.logprobs).toHaveLength(1);
    expect(chunk.logprobs[0]!.token).toBe(chunk.thinking ?? chunk.content);
    entries.push(...chunk.logprobs);
  }
  return { entries, response: response! };
}

describe('logprobs', () => {
  it('come on a chat answer whole and streamed: every token, thinking first, with its alternatives', async () => {
    const { provider } = await setup();
    const request = { ...CHAT, logprobs: true, topLogprobs: 2 };
    const whole = await provider.complete(request);
    expect(whole.thinking).toBeDefined();
    const tokens = whole.logprobs!.map((e) => e.token).join('');
    expect(tokens).toBe(whole.thinking! + whole.content);
    expect(whole.logprobs).toHaveLength(whole.usage.completionTokens!);
    expectEntries(whole.logprobs!, 2);

    const { entries, response } = await streamed(provider.stream(request));
    expect(entries).toEqual(whole.logprobs);
    expect(response.logprobs).toEqual(whole.logprobs);
  });

  it('come on a generate answer whole and streamed, without alternatives unless asked', async () => {
    const { provider } = await setup();
    const request = { ...GENERATE, logprobs: true };
    const whole = await provider.generate(request);
    expect(whole.logprobs!.map((e) => e.token).join('')).toBe(whole.content);
    expectEntries(whole.logprobs!, 0);

    const { entries, response } = await streamed(provider.streamGenerate(request));
    expect(entries).toEqual(whole.logprobs);
    expect(response.logprobs).toEqual(whole.logprobs);
  });

  it('are absent when not asked for', async () => {
    const { provider } = await setup();
    expect((await provider.complete(CHAT)).logprobs).toBeUndefined();
    expect((await provider.generate(GENERATE)).logprobs).toBeUndefined();
  });
});

describe('topLogprobs without logprobs: true', () => {
  // Left out, `logprobs` is missing (a TypeError); `false` is the right type, the wrong value.
  it.each<[{ topLogprobs: number; logprobs?: boolean }, typeof TypeError | typeof RangeError]>([
    [{ topLogprobs: 3 }, TypeError],
    [{ topLogprobs: 0, logprobs: false }, RangeError],
  ])(
    'is refused before sending, on chat and generate, streamed or not: %j',
    async (fields, type) => {
      const { sim, provider } = await setup();
      const message = `Expected \`request.logprobs\` to be true when \`request.topLogprobs\` is set, got \`${String(fields.logprobs)}\` (${typeof fields.logprobs})`;
      const runs = [
        () => provider.complete({ ...CHAT, ...fields }),
        () => provider.stream({ ...CHAT, ...fields }),
        () => provider.generate({ ...GENERATE, ...fields }),
        () => provider.streamGenerate({ ...GENERATE, ...fields }),
      ];
      for (const run of runs) {
        let error: unknown;
        try {
          await run();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(type);
        expect((error as Error).message).toBe(message);
      }
      expect(sim.requests).toHaveLength(0);
    },
  );
});
