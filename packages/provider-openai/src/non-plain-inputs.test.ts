// Valid input that is not plain, through the public API against @x/ollama-sim's /v1: a class
// instance for a request or a message, bytes made in another realm (a vm context, some test
// runners), an empty stop sequence.

import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { chatsAt, simSetup } from './__fixtures__/sim-setup';

describe('a class instance for a request or a message', () => {
  it('says the request is not a plain object, instead of showing its JSON', async () => {
    const { sim, provider } = await simSetup();
    class ChatReq {
      model = 'llama3.2';
      messages = [{ role: 'user', content: 'hi' }];
    }
    // Its JSON has `model` and `messages`: shown, it contradicted the refusal.
    await expect(provider.complete(new ChatReq() as never)).rejects.toThrow(
      new TypeError(
        'Expected `request` to be a plain object with `model` and `messages` (its own fields are what is read and sent), not an instance of class ChatReq: copy the fields into an object literal',
      ),
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

  it('says a message is an instance of its class', async () => {
    const { provider } = await simSetup();
    class Msg {
      _r = 'user';
      get role() {
        return this._r;
      }
      get content() {
        return 'hi';
      }
    }
    await expect(
      provider.complete({ model: 'llama3.2', messages: [new Msg() as never] }),
    ).rejects.toThrow(
      /^Expected `request\.messages\[0\]` to be a plain object with `role` and `content` .*, not an instance of class Msg/,
    );
  });
});

describe('bytes of another realm', () => {
  it('are taken as an image, and sent as the data URL of their bytes', async () => {
    const { sim, provider } = await simSetup();
    const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3];
    const image: Uint8Array = vm.runInNewContext(`new Uint8Array(${JSON.stringify(png)})`);
    await provider.complete({
      model: 'llama3.2',
      messages: [
        { role: 'user', content: 'x', images: [image] },
        { role: 'user', content: 'y', images: [{ image, detail: 'low' }] },
      ],
    });
    const url = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
    const [first, second] = (
      chatsAt(sim)[0]!.body as { messages: Array<{ content: Array<Record<string, unknown>> }> }
    ).messages;
    expect(first!.content[1]).toEqual({ type: 'image_url', image_url: { url } });
    expect(second!.content[1]).toEqual({ type: 'image_url', image_url: { url, detail: 'low' } });
  });
});

describe('an empty stop sequence', () => {
  it('is refused before sending, naming its index', async () => {
    const { sim, provider } = await simSetup();
    const messages = [{ role: 'user' as const, content: 'hi' }];
    await expect(
      provider.complete({ model: 'llama3.2', messages, stop: ['a', ''] }),
    ).rejects.toThrow(
      new RangeError(
        'Expected `request.stop[1]` to be a non-empty string (an empty stop sequence matches at once: no answer), got `""` (string)',
      ),
    );
    expect(chatsAt(sim)).toHaveLength(0);
  });
});
