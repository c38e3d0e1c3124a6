// The reference client, ollama-js, pointed at the simulator: what users of the README get.
import { Ollama } from 'ollama';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  it('pulls with streamed progress, then lists, shows and uses the model', async () => {
    const ollama = await client({ registry: [{ name: 'tiny:1b', size: 5000 }] });
    const seen: { status: string; digest?: string; total?: number; completed?: number }[] = [];
    for await (const part of await ollama.pull({ model: 'tiny:1b', stream: true })) seen.push(part);
    expect(seen[0]!.status).toBe('pulling manifest');
    expect(seen.at(-1)!.status).toBe('success');
    expect(seen.find((p) => p.total === 5000)).toMatchObject({ completed: 5000 });
    expect((await ollama.pull({ model: 'tiny:1b' })).status).toBe('success');
    expect((await ollama.list()).models.map((m) => m.name)).toContain('tiny:1b');
    expect((await ollama.show({ model: 'tiny:1b' })).details.family).toBe('llama');
    const answer = await ollama.generate({ model: 'tiny:1b', prompt: 'hi' });
    expect(answer.done).toBe(true);
    expect((await ollama.ps()).models.map((m) => m.name)).toEqual(['tiny:1b']);
  });

  it('stops a pull aborted midway, on the real clock: the model does not appear', async () => {
    const ollama = await client({
      registry: [{ name: 'slow:1b', size: 1_000_000_000 }],
      transferBytesPerSecond: 1_000_000,
    });
    const progress = await ollama.pull({ model: 'slow:1b', stream: true });
    const read = async () => {
      for await (const part of progress) if (part.completed && part.completed > 0) progress.abort();
    };
    await expect(read()).rejects.toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(sim!.stats().active).toBe(0), { timeout: 5_000 });
    expect((await ollama.list()).models.map((m) => m.name)).not.toContain('slow:1b');
  });

  it('creates, copies, pushes and deletes models', async () => {
    const ollama = await client();
    const created = await ollama.create({
      model: 'pirate',
      from: 'llama3.2',
      system: 'Talk like a pirate.',
      parameters: { temperature: 0.9 },
    });
    expect(created.status).toBe('success');
    const show = await ollama.show({ model: 'pirate' });
    expect(show.system).toBe('Talk like a pirate.');
    expect(show.parameters).toContain('temperature');
    const streamed: string[] = [];
    for await (const part of await ollama.create({
      model: 'me/pirate',
      from: 'pirate',
      stream: true,
    }))
      streamed.push(part.status);
    expect(streamed.at(-1)).toBe('success');
    expect(await ollama.copy({ source: 'pirate', destination: 'captain' })).toEqual({
      status: 'success',
    });
    const pushed: string[] = [];
    for await (const part of await ollama.push({ model: 'me/pirate', stream: true }))
      pushed.push(part.status);
    expect(pushed[0]).toBe('retrieving manifest');
    expect(pushed.at(-1)).toBe('success');
    expect(await ollama.delete({ model: 'pirate' })).toEqual({ status: 'success' });
    const names = (await ollama.list()).models.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['captain:latest', 'me/pirate:latest']));
    expect(names).not.toContain('pirate:latest');
    await expect(ollama.delete({ model: 'pirate' })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 404,
      error: "model 'pirate' not found",
    });
    await expect(ollama.copy({ source: 'nope', destination: 'x' })).rejects.toMatchObject({
      status_code: 404,
      error: 'model "nope" not found',
    });
  });

  it('throws the fault of a pull stream and the error of a pull that cannot start', async () => {
    const ollama = await client({
      faults: [{ route: '/api/pull', sequence: [{ kind: 'status', status: 503 }] }],
    });
    await expect(ollama.pull({ model: 'llama3.2' })).rejects.toMatchObject({ status_code: 503 });
    const read = async () => {
      for await (const _ of await ollama.pull({ model: 'nope:1b', stream: true })) {
        // drain
      }
    };
    await expect(read()).rejects.toThrow('pull model manifest: file does not exist');
  });
});
