import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import vm from 'node:vm';
import type { OllamaSim } from '@x/ollama-sim';
import { describe, expect, it } from 'vitest';
import { simProvider } from './__fixtures__/sim-provider';

// Valid input that is not plain: a class instance for a request or a message, bytes made in
// another realm (a vm context, some test runners), a digest with an upper-case prefix, an empty
// stop sequence.

const setup = simProvider();

const posts = (sim: OllamaSim, path: string) =>
  sim.requests.filter((r) => r.method === 'POST' && r.path === path);

class ChatReq {
  model = 'llama3.2';
  messages = [{ role: 'user', content: 'hi' }];
  get temperature() {
    return 0.1;
  }
}

class Msg {
  get role() {
    return 'user';
  }
  get content() {
    return 'hi';
  }
}

describe('a class instance for a request or a message', () => {
  it('is refused before sending, naming the class (a copy of it would lose its getters)', async () => {
    const { sim, provider } = await setup();
    await expect(provider.complete(new ChatReq() as never)).rejects.toThrow(
      new TypeError(
        'Expected `request` to be a plain object with `model` and `messages` (its own fields are what is read and sent), not an instance of class ChatReq: copy the fields into an object literal',
      ),
    );
    class GenReq {
      model = 'llama3.2';
      prompt = 'hi';
    }
    await expect(provider.generate(new GenReq() as never)).rejects.toThrow(
      /to be a plain object with `model` and `prompt` .*, not an instance of class GenReq/,
    );
    class EmbedReq {
      model = 'nomic-embed-text';
      input = 'hi';
    }
    await expect(provider.embed(new EmbedReq() as never)).rejects.toThrow(
      /to be a plain object with `model` and `input` .*, not an instance of class EmbedReq/,
    );
    expect(sim.requests).toHaveLength(0);
  });

  it('says what is wrong with a message that is one, not its JSON', async () => {
    const { provider } = await setup();
    const error = await provider
      .complete({ model: 'llama3.2', messages: [new Msg() as never] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(
      /^Expected `request\.messages\[0\]` to be a plain object with `role` and `content` .*, not an instance of class Msg/,
    );
  });
});

describe('bytes of another realm', () => {
  const foreign = (bytes: number[]): Uint8Array =>
    vm.runInNewContext(`new Uint8Array(${JSON.stringify(bytes)})`);

  it('pushBlob takes them, whole or as chunks of a stream, and sends them', async () => {
    const { sim, provider } = await setup();
    const bytes = [71, 71, 85, 70, 1, 2, 3];
    const digest = `sha256:${createHash('sha256').update(Buffer.from(bytes)).digest('hex')}`;
    expect(await provider.pushBlob(foreign(bytes))).toBe(digest);
    expect(await provider.hasBlob(digest)).toBe(true);
    const stream = Readable.from([foreign(bytes.slice(0, 3)), foreign(bytes.slice(3))]);
    expect(await provider.pushBlob(stream, { digest })).toBe(digest);
    expect(posts(sim, `/api/blobs/${digest}`)).toHaveLength(2);
  });

  it('takes them as an image and sends their base64', async () => {
    const { sim, provider } = await setup();
    const image = foreign([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await provider.complete({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'x', images: [image] }],
    });
    const body = posts(sim, '/api/chat')[0]!.body as { messages: Array<{ images: string[] }> };
    expect(body.messages[0]!.images).toEqual([Buffer.from(image).toString('base64')]);
  });
});

describe('a digest with a slip', () => {
  const hex = 'ab'.repeat(32);

  it('is shown as given (a digest is no secret), with what is wrong', async () => {
    const { provider } = await setup();
    await expect(provider.hasBlob(`SHA256:${hex}`)).rejects.toThrow(
      new RangeError(
        `Expected \`digest\` to be a blob digest, \`sha256:<64 hex digits>\` or \`sha256-<64 hex digits>\` (\`sha256\` in lower case, as Ollama takes it), got "SHA256:${hex}" (\`SHA256\` is not in lower case)`,
      ),
    );
    await expect(provider.pushBlob(new Uint8Array(1), { digest: 'sha256:abc' })).rejects.toThrow(
      /got "sha256:abc" \(3 hex digits\)$/,
    );
  });

  it('still hides a string that is no digest (a key given by mistake)', async () => {
    const { provider } = await setup();
    const key = 'sk-proj-abcdef1234567890abcdef';
    const error = await provider.hasBlob(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).not.toContain(key);
  });
});

describe('an empty stop sequence', () => {
  it('is refused before sending: it would match at once and end the answer empty', async () => {
    const { sim, provider } = await setup();
    const messages = [{ role: 'user' as const, content: 'hi' }];
    await expect(
      provider.complete({ model: 'llama3.2', messages, stop: ['a', ''] }),
    ).rejects.toThrow(
      new RangeError(
        'Expected `request.stop[1]` to be a non-empty string (an empty stop sequence matches at once: no answer), got `""` (string)',
      ),
    );
    await expect(provider.generate({ model: 'llama3.2', prompt: 'hi', stop: '' })).rejects.toThrow(
      /^Expected `request\.stop` to be a non-empty string/,
    );
    await expect(
      provider.complete({ model: 'llama3.2', messages, options: { stop: [''] } }),
    ).rejects.toThrow(/^Expected `request\.options\.stop\[0\]` to be a non-empty string/);
    expect(sim.requests).toHaveLength(0);
  });
});
