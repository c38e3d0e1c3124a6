import { JSON_PLAIN, JSON_TEXT, jsonText, MAX_SHAPED_LINE } from '@x/provider-core';

/**
 * Most events of a streamed chat completion are one token of text. OpenAI and Ollama's `/v1`
 * write them in one shape (fields in the order their encoders use; OpenAI adds `service_tier`,
 * `logprobs: null`, `usage: null` with `include_usage`, and `obfuscation`):
 *
 *   {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini",
 *    "system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":" sky"},"finish_reason":null}]}
 *
 * These are read with one anchored regular expression instead of `JSON.parse` (see
 * `@x/provider-core`'s json-text.ts). Anything else (the role-only event, reasoning, tool calls,
 * log probabilities, the finish, the usage, another key order, invalid JSON) returns `undefined`,
 * for `JSON.parse`.
 */
const CHUNK = new RegExp(
  [
    String.raw`^\{"id":"(${JSON_PLAIN})","object":"chat\.completion\.chunk","created":(0|[1-9]\d{0,14}),`,
    `"model":"(${JSON_PLAIN})",(?:"service_tier":"${JSON_PLAIN}",)?"system_fingerprint":"(${JSON_PLAIN})",`,
    String.raw`"choices":\[\{"index":0,"delta":\{(?:"role":"assistant",)?"content":"${JSON_TEXT}"\}`,
    String.raw`(?:,"logprobs":null)?,"finish_reason":null\}\](?:,"usage":null)?(?:,"obfuscation":"${JSON_PLAIN}")?\}$`,
  ].join(''),
);

export interface DeltaEvent {
  id: string;
  created: number;
  model: string;
  fingerprint: string;
  content: string;
}

/** What a plain text-delta event says, or `undefined` for any other event. */
export function readDeltaEvent(data: string): DeltaEvent | undefined {
  if (data.length > MAX_SHAPED_LINE) return undefined;
  const match = CHUNK.exec(data);
  if (match === null) return undefined;
  return {
    id: match[1]!,
    created: Number(match[2]),
    model: match[3]!,
    fingerprint: match[4]!,
    content: jsonText(match[5]!),
  };
}
