// A user message's images (with their `detail`), audio and files, sent as OpenAI's content parts
// (`image_url`, `input_audio`, `file`); malformed ones, and those a preset's server refuses,
// refused before anything is sent with an error naming the field: a TypeError for a wrong type, a
// RangeError for a string or bytes of the wrong shape (empty, not base64, a URL where data goes).
import { describe, expect, it } from 'vitest';
import { completion, json } from './__fixtures__/server';
import { ask, atOpenAI, chats, setup } from './__fixtures__/setup';
import type { OpenAIPresetName } from './presets';
import type { ChatRequest, OpenAIChatMessage } from './types';

const hello = json(200, completion({ content: 'hi' }));
const png = 'data:image/png;base64,iVBORw0KGgo=';
const pdf = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
const wav = Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1');

const say = (message: Partial<OpenAIChatMessage>): ChatRequest =>
  ask('Hi', { messages: [{ role: 'user', content: 'What is in these?', ...message }] });

/** What the server received as the first message's content. */
async function sent(message: Partial<OpenAIChatMessage>, preset: OpenAIPresetName = 'openai') {
  const { server, provider } = await setup({ '/chat/completions': hello }, { preset });
  await provider.complete(say(message));
  return (chats(server)[0]!.json!.messages as Array<{ content: unknown }>)[0]!.content;
}

/** The error a request gets, and that nothing reached the server. */
async function refused(request: ChatRequest, preset: OpenAIPresetName = 'openai') {
  const { server, provider } = await setup({ '/chat/completions': hello }, { preset });
  const error = await provider.complete(request).catch((e: unknown) => e);
  expect(() => provider.stream(request)).toThrow((error as Error).message);
  expect(chats(server)).toHaveLength(0);
  return error as Error;
}

/**
 * The error a request gets on the `openai` preset at OpenAI's own host, where its API's limits
 * hold (a gateway the preset points at takes what it takes), and that nothing was sent.
 */
async function refusedAtOpenAI(request: ChatRequest) {
  const { provider, sent } = atOpenAI();
  const error = await provider.complete(request).catch((e: unknown) => e);
  expect(() => provider.stream(request)).toThrow((error as Error).message);
  expect(sent()).toBe(0);
  return error as Error;
}

describe('content parts of a user message', () => {
  it('sends text, then images with their detail, audio as base64, files by id or as data URLs', async () => {
    const content = await sent({
      images: [png, { image: png, detail: 'low' }, { image: 'https://x.test/cat.png' }],
      audio: [
        { data: wav, format: 'wav' },
        { data: 'SUQzBAAAAAAA', format: 'mp3' },
      ],
      files: [
        { fileId: 'file-abc123' },
        { filename: 'report.pdf', data: pdf },
        { filename: 'b.pdf', data: pdf.toString('base64') },
        { filename: 'c.pdf', data: 'data:application/pdf;base64,JVBERi0=' },
      ],
    });
    expect(content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', image_url: { url: png } },
      { type: 'image_url', image_url: { url: png, detail: 'low' } },
      { type: 'image_url', image_url: { url: 'https://x.test/cat.png' } },
      { type: 'input_audio', input_audio: { data: wav.toString('base64'), format: 'wav' } },
      { type: 'input_audio', input_audio: { data: 'SUQzBAAAAAAA', format: 'mp3' } },
      { type: 'file', file: { file_id: 'file-abc123' } },
      {
        type: 'file',
        file: {
          filename: 'report.pdf',
          file_data: `data:application/pdf;base64,${pdf.toString('base64')}`,
        },
      },
      {
        type: 'file',
        file: {
          filename: 'b.pdf',
          file_data: `data:application/pdf;base64,${pdf.toString('base64')}`,
        },
      },
      {
        type: 'file',
        file: { filename: 'c.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
      },
    ]);
  });

  it('sends a message with audio only, or empty lists, as the API takes them', async () => {
    expect(await sent({ content: '', audio: [{ data: 'UklGRg==', format: 'wav' }] })).toEqual([
      { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
    ]);
    expect(await sent({ images: [], audio: [], files: [] })).toBe('What is in these?');
  });

  it.each([
    [
      { images: [{ image: png, detail: 'medium' }] },
      RangeError,
      '`request.messages[0].images[0].detail`',
    ],
    [{ images: [{ image: 5 }] }, TypeError, '`request.messages[0].images[0].image`'],
    [{ images: [{ url: png }] }, TypeError, 'Unknown option `request.messages[0].images[0].url`'],
    [
      { audio: { data: 'UklGRg==', format: 'wav' } },
      TypeError,
      '`request.messages[0].audio` to be an array',
    ],
    [
      { audio: [{ data: 'UklGRg==', format: 'ogg' }] },
      RangeError,
      '`request.messages[0].audio[0].format`',
    ],
    [{ audio: [{ data: '', format: 'wav' }] }, RangeError, '`request.messages[0].audio[0].data`'],
    [
      { audio: [{ data: 'https://x.test/a.wav', format: 'wav' }] },
      RangeError,
      '`request.messages[0].audio[0].data` to be base64 audio, not a URL',
    ],
    [
      { audio: [{ data: 'UklGRg==', format: 'wav', rate: 8000 }] },
      TypeError,
      '`request.messages[0].audio[0].rate`',
    ],
    [{ files: [{}] }, TypeError, '`request.messages[0].files[0].filename`'],
    [{ files: [{ fileId: '' }] }, RangeError, '`request.messages[0].files[0].fileId`'],
    [
      { files: [{ fileId: 'file-1', filename: 'a.pdf' }] },
      TypeError,
      '`request.messages[0].files[0].filename`',
    ],
    [{ files: [{ filename: 'a.pdf' }] }, TypeError, '`request.messages[0].files[0].data`'],
    [
      { files: [{ filename: 'a.pdf', data: 'data:application/pdf,%25PDF' }] },
      RangeError,
      'a base64 data: URL',
    ],
    [{ files: [{ filename: 'a.pdf', data: 'https://x.test/a.pdf' }] }, RangeError, 'not a URL'],
    // Text where base64 goes: the server would answer a 400 naming no field.
    [
      { audio: [{ data: 'this is not base64!!', format: 'wav' }] },
      RangeError,
      '`request.messages[0].audio[0].data` to be base64 audio',
    ],
    [
      { audio: [{ data: 'UklGRg', format: 'wav' }] },
      RangeError,
      '`request.messages[0].audio[0].data`',
    ],
    [
      { files: [{ filename: 'a.pdf', data: 'hello world, not base64 at all' }] },
      RangeError,
      '`request.messages[0].files[0].data` to be the file as base64',
    ],
    [
      { files: [{ filename: 'a.pdf', data: 'data:application/pdf;base64,%%%%not base64' }] },
      RangeError,
      '`request.messages[0].files[0].data` to be a base64 data: URL',
    ],
    [
      { files: [{ filename: 'a.pdf', data: 'data:application/pdf;base64,' }] },
      RangeError,
      '`request.messages[0].files[0].data`',
    ],
    [{ images: [''] }, RangeError, '`request.messages[0].images[0]`'],
    [{ images: [new Uint8Array(0)] }, RangeError, '`request.messages[0].images[0]`'],
    [{ images: [{ image: '' }] }, RangeError, '`request.messages[0].images[0].image`'],
    [{ images: ['not base64 at all!!'] }, RangeError, '`request.messages[0].images[0]`'],
    [{ images: ['file:///etc/passwd'] }, RangeError, '`request.messages[0].images[0]`'],
    [
      { images: ['data:image/png;base64,%%%%'] },
      RangeError,
      '`request.messages[0].images[0]` to be a data: URL holding base64',
    ],
  ])('refuses malformed part %#, naming the field', async (message, type, text) => {
    const error = await refused(say(message as Partial<OpenAIChatMessage>));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toContain(text);
  });

  it('reads only the ends of a large part: a base64 image of megabytes is sent', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7).toString('base64');
    const wrapped = 'iVBORw0K\nGgo=';
    const content = await sent({ images: [big, wrapped], audio: [{ data: big, format: 'wav' }] });
    expect(content).toHaveLength(4);
  });

  it('refuses audio and files on any message but a user message, as images are', async () => {
    for (const role of ['system', 'developer', 'assistant', 'tool'] as const) {
      for (const [field, value] of [
        ['audio', [{ data: 'UklGRg==', format: 'wav' }]],
        ['files', [{ fileId: 'file-1' }]],
      ] as const) {
        const other = {
          role,
          content: 'x',
          [field]: value,
          ...(role === 'tool' ? { toolCallId: 'c' } : {}),
        };
        const error = await refused(
          ask('Hi', { messages: [{ role: 'user', content: 'Hi' }, other] }),
        );
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toContain(`\`request.messages[1].${field}\``);
        expect(error.message).toContain(`only user messages carry ${field}`);
      }
    }
  });
});

describe('content parts a preset refuses', () => {
  const image = { images: [png] };
  const audio = { audio: [{ data: 'UklGRg==', format: 'wav' as const }] };
  const file = { files: [{ fileId: 'file-1' }] };

  it.each([
    [
      'deepseek',
      image,
      'DeepSeek does not accept `request.messages[].images` (its API refuses `image_url`',
    ],
    [
      'deepseek',
      audio,
      'DeepSeek does not accept `request.messages[].audio` (its API refuses `input_audio`',
    ],
    [
      'deepseek',
      file,
      'DeepSeek does not accept `request.messages[].files` (its API refuses `file`',
    ],
    ['mistral', audio, 'Mistral does not accept `request.messages[].audio`'],
    ['mistral', file, 'Mistral does not accept `request.messages[].files`'],
    ['ollama', file, 'Ollama does not accept `request.messages[].files`'],
  ] as const)('%s refuses %o before sending', async (preset, message, text) => {
    const error = await refused(say(message), preset);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(text);
  });

  it('OpenAI reads PDFs only: another file sent as data is refused, an uploaded id is its to check', async () => {
    const gif = Buffer.from('GIF89a\x01\x00', 'latin1');
    for (const data of [gif, gif.toString('base64'), 'data:text/plain;base64,aGk=']) {
      const error = await refusedAtOpenAI(say({ files: [{ filename: 'x', data }] }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toMatch(
        /^OpenAI reads `application\/pdf` files only: `request\.messages\[0\]\.files\[0\]\.data` is /,
      );
    }
    expect(await sent({ files: [{ fileId: 'file-of-any-type' }] })).toHaveLength(2);
  });

  it('sends what the other servers may take: audio to Ollama, files and audio to vLLM', async () => {
    expect(await sent(audio, 'ollama')).toHaveLength(2);
    expect(
      await sent({ ...audio, files: [{ filename: 'a.txt', data: 'aGk=' }] }, 'vllm'),
    ).toHaveLength(3);
  });

  it("checks an image given with its detail against Ollama's image types", async () => {
    const gif = Uint8Array.from(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'));
    const error = await refused(say({ images: [{ image: gif, detail: 'high' }] }), 'ollama');
    expect(error.message).toContain('`request.messages[0].images[0]` is a GIF image');
  });
});
