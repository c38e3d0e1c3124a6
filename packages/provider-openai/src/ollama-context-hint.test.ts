// The `ollama` preset checks prompts against 4096 tokens, the smallest window Ollama gives a model
// (its default by GPU memory is 4096, 32768 or 262144): a prompt it refuses says how to give the
// real one.
import { describe, expect, it } from 'vitest';
import { completion, json } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';
import { ContextOverflowError } from './errors';
import type { OpenAIProviderOptions } from './options';

const hello = json(200, completion({ content: 'hi' }));
const long = ask('word '.repeat(6_000));
const llama = { ...long, model: 'llama3.2' };

async function refusal(options: OpenAIProviderOptions, request = llama) {
  const { server, provider } = await setup({ '/chat/completions': hello }, options);
  const error = await provider.complete(request).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ContextOverflowError);
  expect(chats(server)).toHaveLength(0);
  return error as ContextOverflowError;
}

describe('ContextOverflowError on the ollama preset', () => {
  it('says 4096 is assumed and how to give the window `ollama ps` shows', async () => {
    for (const preset of [
      'ollama' as const,
      { name: 'box', baseUrl: 'http://127.0.0.1:9/v1', extends: 'ollama' as const },
    ]) {
      const error = await refusal({ preset });
      expect(error).toMatchObject({ source: 'estimate', contextWindow: 4096, model: 'llama3.2' });
      expect(error.message).toMatch(
        /^The prompt of about \d+ tokens \(\+0 reserved for the answer\) does not fit the 4096-token context window of "llama3\.2"\. 4096 tokens is the `ollama` preset's assumption/,
      );
      expect(error.message).toContain('Ollama picks 4096, 32768 or 262144 tokens by GPU memory');
      expect(error.message).toContain(
        'run `ollama ps` while the model is loaded and pass the CONTEXT it shows as `contextWindows: { "llama3.2": <CONTEXT> }`',
      );
      expect(error.message).toContain('OLLAMA_CONTEXT_LENGTH=<tokens> and pass the same value');
      expect(error.message).toMatch(
        /which sets num_ctx; else shorten the prompt or the history, or set `tokens\.onOverflow: 'allow'` to send it anyway \(the answer is then checked for truncation\)$/,
      );
      expect(error.stack).toContain('`ollama ps`');
    }
  });

  it('sends the prompt once `contextWindows` gives the window', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { preset: 'ollama', contextWindows: { 'llama3.2': 32_768 } },
    );
    await expect(provider.complete(llama)).resolves.toMatchObject({ content: 'hi' });
    expect(chats(server)).toHaveLength(1);
  });

  it('adds nothing where the window was given, or is not an assumption', async () => {
    const given = await refusal({ preset: 'ollama', contextWindows: { 'llama3.2': 5_000 } });
    const own = await refusal({
      preset: {
        name: 'box',
        baseUrl: 'http://127.0.0.1:9/v1',
        extends: 'ollama',
        contextWindow: 5_000,
      },
    });
    // gpt-4's 8,192 tokens come from @x/tokens' table.
    const table = await refusal({}, { ...ask('word '.repeat(9_000)), model: 'gpt-4' });
    for (const error of [given, own, table]) {
      // No hint: the window's statement is followed by the remedy alone.
      expect(error.message).toMatch(
        /context window of "[^"]+": shorten the prompt or the history, or set `tokens\.onOverflow: 'allow'` to send it anyway \(the answer is then checked for truncation\)$/,
      );
    }
  });
});
