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
