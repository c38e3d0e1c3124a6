// The reference client, ollama-js, pointed at the simulator: what users of the README get.
import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import type { OllamaSimOptions } from './options';
import { type OllamaSim, startOllamaSim } from './sim';

let sim: OllamaSim | undefined;
async function client(options: OllamaSimOptions = {}): Promise<Ollama> {
  sim = await startOllamaSim(options);
  return new Ollama({ host: sim.url });
}
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const messages = [{ role: 'user', content: 'Why is the sky blue?' }];

describe('ollama-js against the simulator', () => {
  it('lists, shows and reports the version', async () => {
    const ollama = await client();
    const { models } = await ollama.list();
    expect(models.map((m) => m.name)).toContain('llama3.2:latest');
    const show = await ollama.show({ model: 'llama3.2' });
    // ollama-js types model_info as a Map, but it is the decoded JSON object.
    const info = show.model_info as unknown as Record<string, unknown>;
    expect(info['llama.context_length']).toBe(131072);
    expect(show.capabilities).toEqual(['completion', 'tools']);
    expect(await ollama.version()).toEqual({ version: '0.32.15' });
  });

  it('streams the same text as the non-streamed chat', async () => {
    const ollama = await client();
    const whole = await ollama.chat({ model: 'llama3.2', messages });
    let text = '';
    let last: { done: boolean; eval_count: number } | undefined;
    for await (const part of await ollama.chat({ model: 'llama3.2', messages, stream: true })) {
      text += part.message.content;
      last = part;
    }
    expect(text).toBe(whole.message.content);
    expect(last?.done).toBe(true);
    expect(last?.eval_count).toBe(whole.eval_count);
  });

  it('generates, embeds and reports loaded models', async () => {
    const ollama = await client();
    const gen = await ollama.generate({ model: 'qwen2.5:7b', prompt: 'hello' });
    expect(gen.response?.length).toBeGreaterThan(0);
    const { embeddings } = await ollama.embed({ model: 'nomic-embed-text', input: ['a', 'b'] });
    expect(embeddings.map((e) => e.length)).toEqual([768, 768]);
    const ps = await ollama.ps();
    expect(ps.models.map((m) => m.name).sort()).toEqual(['nomic-embed-text:latest', 'qwen2.5:7b']);
  });

  it('raises ResponseError with the status for model-not-found and a full queue', async () => {
    const ollama = await client({
      faults: [{ route: '/api/chat', sequence: [{ kind: 'status', status: 503 }] }],
    });
    await expect(ollama.chat({ model: 'llama3.2', messages })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 503,
      error: 'server busy, please try again.  maximum pending requests exceeded',
    });
    await expect(ollama.chat({ model: 'nope', messages })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 404,
      error: "model 'nope' not found",
    });
  });

  it('throws the error line of a broken stream and notices a stream without done', async () => {
    const ollama = await client({
      faults: [
        {
          route: '/api/chat',
          sequence: [
            { kind: 'error-line', afterChunks: 2, error: 'boom' },
            { kind: 'end-without-done' },
          ],
        },
      ],
    });
    const read = async () => {
      for await (const _ of await ollama.chat({ model: 'llama3.2', messages, stream: true })) {
        // drain
      }
    };
    await expect(read()).rejects.toThrow('boom');
    await expect(read()).rejects.toThrow('Did not receive done or success response in stream.');
  });

  it('reassembles lines and UTF-8 characters split across writes', async () => {
    const ollama = await client({
      reply: () => 'naïve café über résumé',
      faults: [{ route: '/api/chat', fault: { kind: 'split', every: 3, gapMs: 0 } }],
    });
    let text = '';
    for await (const part of await ollama.chat({ model: 'llama3.2', messages, stream: true })) {
      text += part.message.content;
    }
    expect(text).toBe('naïve café über résumé');
  });
});
