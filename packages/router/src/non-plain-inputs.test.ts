import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider } from '@x/provider-ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouter } from './router';

// Valid input that is not plain, through the router to @x/provider-ollama on the simulator: a
// request that is a class instance (the router's copy of it kept only its own fields), a text
// input with a hole (read as token ids).

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function setup() {
  const sim = await startOllamaSim({ loadTimeMs: 0 });
  const provider = createOllamaProvider({ baseUrl: sim.url, retry: false, cache: false });
  const router = createRouter({
    deployments: [
      { group: 'chat', provider, model: 'llama3.2' },
      { group: 'embed', provider, model: 'nomic-embed-text' },
    ],
  });
  open.push(sim, provider, router);
  return { sim, router };
}

const sent = (sim: OllamaSim) => sim.requests.filter((r) => r.method === 'POST');

describe('a request that is a class instance', () => {
  it('is refused as the providers refuse it, not sent without its getter fields', async () => {
    const { sim, router } = await setup();
    class ChatReq {
      model = 'chat';
      messages = [{ role: 'user', content: 'hi' }];
      get options() {
        return { num_ctx: 4096 };
      }
    }
    await expect(router.complete(new ChatReq() as never)).rejects.toThrow(
      new TypeError(
        'Expected `request` to be a plain object with `model` (its own fields are what is read and sent), not an instance of class ChatReq: copy the fields into an object literal',
      ),
    );
    expect(() => router.stream(new ChatReq() as never)).toThrow(/not an instance of class ChatReq/);
    expect(sent(sim)).toHaveLength(0);
  });
});

describe('an embedding input with a hole', () => {
  it('is refused by its index, not taken for token ids', async () => {
    const { sim, router } = await setup();
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    const input = [, 'a'] as string[];
    await expect(router.embed({ model: 'embed', input })).rejects.toThrow(
      new TypeError(
        'Expected `request.input[0]` to be a string (or token ids), not a hole or `undefined`, got `undefined` (undefined)',
      ),
    );
    expect(sent(sim)).toHaveLength(0);
  });
});
