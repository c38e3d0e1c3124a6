import { afterEach, describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { type OllamaSim, startOllamaSim } from './sim';

// Which 400 a body with several bad fields gets, as Go's encoding/json decides it (decode.go): a
// type mismatch is recorded and decoding goes on; an error from a type's own UnmarshalJSON
// (api.Duration, api.ThinkValue, api.Message in api/types.go) ends decoding at once.

let sim: OllamaSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function errorOf(path: string, rawBody: string): Promise<[number, string]> {
  sim ??= await startOllamaSim();
  const res = await send(sim.url, path, { rawBody });
  return [res.status, (JSON.parse(res.text) as { error: string }).error];
}

const THINK =
  'invalid think value: "extreme" (must be "high", "medium", "low", "max", true, or false)';
const HI = '[{"role":"user","content":"hi"}]';

describe('request decoding errors', () => {
  it('reports a bad think over an earlier type mismatch', async () => {
    const body = `{"model":"qwen3:4b","stream":"yes","messages":${HI},"think":"extreme"}`;
    expect(await errorOf('/api/chat', body)).toEqual([400, THINK]);
  });

  it('reports a unitless keep_alive over an earlier type mismatch on generate', async () => {
    const body = '{"model":"llama3.2","prompt":"hi","raw":"yes","keep_alive":"10"}';
    expect(await errorOf('/api/generate', body)).toEqual([
      400,
      'time: missing unit in duration "10"',
    ]);
  });

  it('reports the first of two UnmarshalJSON errors: decoding stops there', async () => {
    const body = `{"model":"qwen3:4b","messages":${HI},"keep_alive":true,"think":"extreme"}`;
    expect(await errorOf('/api/chat', body)).toEqual([400, "Unsupported type: 'bool'"]);
  });

  it('reports a malformed message over an earlier type mismatch', async () => {
    const body = '{"model":"llama3.2","stream":"yes","messages":[{"role":"user","content":1}]}';
    expect(await errorOf('/api/chat', body)).toEqual([
      400,
      'json: cannot unmarshal number into Go struct field Message.messages.content of type string',
    ]);
  });

  it('reports the first type mismatch when no UnmarshalJSON fails', async () => {
    const body = `{"model":"llama3.2","stream":"yes","messages":${HI},"top_logprobs":"x"}`;
    expect(await errorOf('/api/chat', body)).toEqual([
      400,
      'json: cannot unmarshal string into Go struct field ChatRequest.stream of type bool',
    ]);
  });

  it('reports the first bad field of a message in its own order', async () => {
    const body = '{"model":"llama3.2","messages":[{"content":1,"role":2}]}';
    expect(await errorOf('/api/chat', body)).toEqual([
      400,
      'json: cannot unmarshal number into Go struct field Message.messages.content of type string',
    ]);
  });
});

describe('images that are not padded standard base64 (api.ImageData is []byte)', () => {
  it("answers Go's base64 error with the offset of the first bad byte", async () => {
    const cases: [string, number][] = [
      ['not base64!', 3], // a bad character
      ['QQ=', 3], // padding cut short
      ['Q===', 1], // padding too early
      ['YWJjZ', 4], // a length that is not a multiple of four
      ['QQ==QQ==', 4], // data after the padding
      ['QUJDé', 4], // offsets count UTF-8 bytes
    ];
    for (const [image, offset] of cases) {
      const body = JSON.stringify({ model: 'llama3.2', prompt: 'hi', images: [image] });
      expect([image, ...(await errorOf('/api/generate', body))]).toEqual([
        image,
        400,
        `illegal base64 data at input byte ${offset}`,
      ]);
    }
  });

  it('accepts newlines inside the base64 and bits after the last byte, as Go does', async () => {
    sim ??= await startOllamaSim();
    for (const image of ['QUJD\nRA==', 'QR==\r\n', ''])
      expect(
        (
          await send(sim.url, '/api/generate', {
            body: { model: 'llama3.2', prompt: 'hi', images: [image], stream: false },
          })
        ).status,
      ).toBe(200);
  });

  it('records a bad image like a type mismatch on generate: the first in the document wins', async () => {
    const image = '"images":["@@@@"]';
    expect(
      await errorOf('/api/generate', `{"model":"llama3.2","stream":"yes","prompt":"hi",${image}}`),
    ).toEqual([
      400,
      'json: cannot unmarshal string into Go struct field GenerateRequest.stream of type bool',
    ]);
    expect(
      await errorOf('/api/generate', `{"model":"llama3.2",${image},"stream":"yes","prompt":"hi"}`),
    ).toEqual([400, 'illegal base64 data at input byte 0']);
    expect(
      await errorOf('/api/generate', '{"model":"llama3.2","prompt":"hi","images":[1]}'),
    ).toEqual([
      400,
      'json: cannot unmarshal number into Go struct field GenerateRequest.images of type api.ImageData',
    ]);
  });

  it("reports a message's bad image over an earlier type mismatch on chat", async () => {
    const body =
      '{"model":"llama3.2","stream":"yes","messages":[{"role":"user","content":"hi","images":["QQ="]}]}';
    expect(await errorOf('/api/chat', body)).toEqual([400, 'illegal base64 data at input byte 3']);
  });
});
