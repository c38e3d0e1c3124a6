import { nothingListening, refusedWording } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { isOpenAIConnectionError } from './errors';
import { resolveConnection } from './options';
import { createOpenAIProvider, type OpenAIProvider } from './provider';

// A connection error names the server once, shows the whole base URL (its `/v1` is what to check)
// and ends with what to do.

const KEY = 'sk-test-connection-wording-1234';
const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'Hi' }] };

const providers: OpenAIProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
});

async function refusal(options: Parameters<typeof createOpenAIProvider>[0]): Promise<Error> {
  const provider = createOpenAIProvider({ retry: false, ...options });
  providers.push(provider);
  return provider.complete(ask).then(
    () => expect.unreachable('expected a failure'),
    (e: unknown) => e as Error,
  );
}

describe('the connection error of an OpenAI-compatible server', () => {
  it('names "the server" at the base URL with its path, never its host twice', async () => {
    const { port, url } = await nothingListening('/v1');
    const error = await refusal({ baseUrl: url, apiKey: KEY });
    expect(isOpenAIConnectionError(error)).toBe(true);
    expect(error.message).toBe(
      refusedWording(
        'the server',
        url,
        'Check that the server is up and that `baseUrl` is its address',
      ),
    );
    // The field keeps the origin called.
    expect(error).toMatchObject({ origin: `http://127.0.0.1:${port}`, causeCode: 'ECONNREFUSED' });
    expect(error.message).not.toContain(KEY);
  });

  it("names a preset's label and the `name` option", async () => {
    const { port, url } = await nothingListening('/openai/v1');
    const groq = await refusal({ preset: 'groq', baseUrl: url, apiKey: KEY });
    expect(groq.message).toMatch(
      new RegExp(
        `^Could not reach Groq at http://127\\.0\\.0\\.1:${port}/openai/v1 \\(ECONNREFUSED\\)\\. `,
      ),
    );
    const named = await refusal({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: KEY,
      name: 'vllm-1',
    });
    expect(named.message).toMatch(/^Could not reach vllm-1 at http:\/\/127\.0\.0\.1:\d+\/v1 /);
  });

  it('names OPENAI_BASE_URL when the address came from it', async () => {
    const saved = process.env.OPENAI_BASE_URL;
    process.env.OPENAI_BASE_URL = (await nothingListening('/v1')).url;
    try {
      const error = await refusal({ apiKey: KEY });
      expect(error.message).toMatch(
        /\. Check that the server is up and that OPENAI_BASE_URL is its address$/,
      );
    } finally {
      if (saved === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = saved;
    }
  });

  it('points at the network for a hosted preset at its own address', () => {
    const { reach } = resolveConnection({ preset: 'groq', apiKey: KEY });
    expect(reach).toMatchObject({
      label: 'Groq',
      url: 'https://api.groq.com/openai/v1',
      remedy: "Check the network in between (a proxy, a firewall) and Groq's status",
    });
  });
});
