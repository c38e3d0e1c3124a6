import { JSON_PLAIN, JSON_TEXT, jsonText, MAX_SHAPED_LINE } from '@x/provider-core';

/**
 * Most events of a streamed chat completion come in a few fixed shapes, in the order OpenAI's and
 * Ollama's `/v1` encoders write the fields (OpenAI adds `service_tier`, `logprobs: null`,
 * `usage: null` with `include_usage`, and `obfuscation`):
 *
 *   {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-mini",
 *    "system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":" sky"},"finish_reason":null}]}
 *
 * one per token of text, then the same with `"delta":{}` and a finish reason, then (with
 * `include_usage`) `"choices":[]` and three token counts. These are read with one anchored regular
 * expression each instead of `JSON.parse` (see `@x/provider-core`'s json-text.ts). Anything else
 * (a role-only delta, reasoning, tool calls, log probabilities, usage details, another key order,
 * invalid JSON) returns `undefined`, for `JSON.parse`.
 */
const head = (capture: boolean) => {
  const field = capture ? `(${JSON_PLAIN})` : JSON_PLAIN;
  const created = capture ? String.raw`(0|[1-9]\d{0,14})` : String.raw`(?:0|[1-9]\d{0,14})`;
  return [
    String.raw`^\{"id":"${field}","object":"chat\.completion\.chunk","created":${created},`,
    `"model":"${field}",(?:"service_tier":"${field}",)?"system_fingerprint":"${field}",`,
  ].join('');
};
const OBFUSCATION = `(?:,"obfuscation":"${JSON_PLAIN}")?`;
const COUNT = String.raw`(0|[1-9]\d{0,14})`;

/** Text, or an empty delta; a finish reason or null. */
const CHOICE = new RegExp(
  [
    head(false),
    String.raw`"choices":\[\{"index":0,"delta":\{(?:(?:"role":"assistant",)?"content":"${JSON_TEXT}")?\}`,
    String.raw`(?:,"logprobs":null)?,"finish_reason":(?:null|"(${JSON_PLAIN})")\}\](?:,"usage":null)?${OBFUSCATION}\}$`,
  ].join(''),
);
/** The usage event `include_usage` asks for, without details. */
const USAGE = new RegExp(
  [
    head(false),
    String.raw`"choices":\[\],"usage":\{"prompt_tokens":${COUNT},"completion_tokens":${COUNT},`,
    String.raw`"total_tokens":${COUNT}\}${OBFUSCATION}\}$`,
  ].join(''),
);
/** The identity fields of an event one of the two above accepted. */
const META = new RegExp(head(true));

export interface ShapedEvent {
  /** The text the event adds ('' for none). */
  content: string;
  /** The finish reason, when the event gives one. */
  finish: string | undefined;
  /** The token counts, as the server wrote them, when the event is the usage event. */
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined;
}

/** What an event of one of the shapes above says, or `undefined` for any other event. */
export function readShapedEvent(data: string): ShapedEvent | undefined {
  if (data.length > MAX_SHAPED_LINE) return undefined;
  const choice = CHOICE.exec(data);
  if (choice !== null) {
    const text = choice[1];
    return {
      content: text === undefined ? '' : jsonText(text),
      finish: choice[2],
      usage: undefined,
    };
  }
  const usage = USAGE.exec(data);
  if (usage === null) return undefined;
  return {
    content: '',
    finish: undefined,
    usage: {
      prompt_tokens: Number(usage[1]),
      completion_tokens: Number(usage[2]),
      total_tokens: Number(usage[3]),
    },
  };
}

export interface EventMeta {
  id: string;
  created: number;
  model: string;
  /** `service_tier`, when the event has it (OpenAI's). */
  serviceTier: string | undefined;
  fingerprint: string;
}

/**
 * The id, timestamp, model and fingerprint of an event {@link readShapedEvent} accepted: read only
 * when needed (from the last such event), not from every one.
 */
export function readEventMeta(data: string): EventMeta {
  const match = META.exec(data)!;
  return {
    id: match[1]!,
    created: Number(match[2]),
    model: match[3]!,
    serviceTier: match[4],
    fingerprint: match[5]!,
  };
}
