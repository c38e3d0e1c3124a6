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
      'json: cannot unmarshal number into Go struct field ChatRequest.messages.content of type string',
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
      'json: cannot unmarshal number into Go struct field ChatRequest.messages.content of type string',
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

// Tools (api.Tool) and tool calls (api.ToolCall) as Go decodes them: tool call arguments and tool
// properties are ordered maps over github.com/buger/jsonparser, which answers anything but an
// object with its MalformedObjectError; each property decodes on its own, and its error ends
// decoding, with the path of JSON keys from the request.
describe('tools and tool calls Go cannot decode', () => {
  const NOT_AN_OBJECT = "Value looks like object, but can't find closing '}' symbol";
  const PROPERTY =
    'json: cannot unmarshal bool into Go struct field ToolFunctionParameters.tools.function.parameters.properties of type api.ToolProperty';
  const DESCRIPTION =
    'json: cannot unmarshal number into Go struct field ToolFunction.tools.function.description of type string';
  const call = (args: string, extra = '') =>
    `{"model":"llama3.2","messages":[{"role":"user","content":"hi"},{"role":"assistant"${extra},"tool_calls":[{"function":{"name":"f","arguments":${args}}}]}]}`;
  const tool = (fn: string, before = '') =>
    `{"model":"llama3.2",${before}"messages":${HI},"tools":[{"type":"function","function":${fn}}]}`;

  it('answers 400 for tool call arguments that are not an object (a JSON string included)', async () => {
    for (const args of ['"{\\"a\\":1}"', '[1]', '5', 'true'])
      expect([args, ...(await errorOf('/api/chat', call(args)))]).toEqual([
        args,
        400,
        NOT_AN_OBJECT,
      ]);
    // That error ends decoding: it wins over an earlier mismatch of the same message.
    expect(await errorOf('/api/chat', call('"x"', ',"content":5'))).toEqual([400, NOT_AN_OBJECT]);
    expect(await errorOf('/api/chat', call('{"a":1}', ',"content":5'))).toEqual([
      400,
      'json: cannot unmarshal number into Go struct field ChatRequest.messages.content of type string',
    ]);
    sim ??= await startOllamaSim();
    for (const args of ['null', '{}'])
      expect((await send(sim.url, '/api/chat', { rawBody: call(args) })).status).toBe(200);
  });

  it('names the field of a tool call that has the wrong type', async () => {
    const body = `{"model":"llama3.2","messages":[{"role":"assistant","tool_calls":[{"id":5,"function":{"index":1.5}}]}]}`;
    expect(await errorOf('/api/chat', body)).toEqual([
      400,
      'json: cannot unmarshal number into Go struct field ChatRequest.messages.tool_calls.id of type string',
    ]);
  });

  it('answers 400 for a tool description that is not a string, recorded like any mismatch', async () => {
    expect(await errorOf('/api/chat', tool('{"name":"f","description":5}'))).toEqual([
      400,
      DESCRIPTION,
    ]);
    expect(
      await errorOf('/api/chat', tool('{"name":"f","description":5}', '"stream":"yes",')),
    ).toEqual([
      400,
      'json: cannot unmarshal string into Go struct field ChatRequest.stream of type bool',
    ]);
  });

  it('answers 400 for a property schema that is not an object, over any earlier mismatch', async () => {
    const bool =
      '{"name":"f","description":5,"parameters":{"type":"object","properties":{"a":true}}}';
    expect(await errorOf('/api/chat', tool(bool, '"stream":"yes",'))).toEqual([400, PROPERTY]);
    const cases: [string, string][] = [
      ['{"type":"object","properties":[]}', NOT_AN_OBJECT],
      [
        '{"type":"object","properties":{"a":{"type":5}}}',
        'json: cannot unmarshal number into Go struct field ToolFunctionParameters.tools.function.parameters.properties.type of type []string',
      ],
      [
        '{"type":"object","properties":{"a":{"type":"object","properties":{"b":false}}}}',
        'json: cannot unmarshal bool into Go struct field ToolFunctionParameters.tools.function.parameters.properties.properties of type api.ToolProperty',
      ],
      [
        '{"type":"object","properties":{"a":{"required":[5]}}}',
        'json: cannot unmarshal number into Go struct field ToolFunctionParameters.tools.function.parameters.properties.required of type string',
      ],
    ];
    for (const [parameters, error] of cases)
      expect(await errorOf('/api/chat', tool(`{"name":"f","parameters":${parameters}}`))).toEqual([
        400,
        error,
      ]);
  });

  it('answers the same texts on /v1, with the OpenAI request type where it shows', async () => {
    sim ??= await startOllamaSim();
    const v1 = async (tools: unknown) => {
      const body = { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], tools };
      const res = await send(sim!.url, '/v1/chat/completions', { body });
      return [res.status, (JSON.parse(res.text) as { error: { message: string } }).error.message];
    };
    const fn = (f: unknown) => [{ type: 'function', function: f }];
    expect(await v1(fn({ name: 'f', description: 5 }))).toEqual([400, DESCRIPTION]);
    expect(await v1(fn({ name: 'f', parameters: { properties: { a: true } } }))).toEqual([
      400,
      PROPERTY,
    ]);
    expect(await v1(['x'])).toEqual([
      400,
      'json: cannot unmarshal string into Go struct field ChatCompletionRequest.tools of type api.Tool',
    ]);
  });
});
