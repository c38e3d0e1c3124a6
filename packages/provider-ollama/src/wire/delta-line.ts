import { JSON_PLAIN, JSON_TEXT, jsonText, MAX_SHAPED_LINE } from '@x/provider-core';

/**
 * Most lines of a streamed Ollama answer are one token of text, in the one shape Ollama's Go
 * encoder writes (fields in struct order):
 *
 *   {"model":"llama3.2","created_at":"…","message":{"role":"assistant","content":" sky"},"done":false}
 *   {"model":"llama3.2","created_at":"…","response":" sky","done":false}            (/api/generate)
 *
 * These are read with one anchored regular expression instead of `JSON.parse` (see
 * `@x/provider-core`'s json-text.ts). Anything else (thinking, tool calls, log probabilities, the
 * final line, an error, another key order, invalid JSON) returns `undefined`, for `JSON.parse`.
 */
const HEAD = String.raw`^\{"model":"(${JSON_PLAIN})","created_at":"${JSON_PLAIN}",`;
const CHAT = new RegExp(
  String.raw`${HEAD}"message":\{"role":"assistant","content":"${JSON_TEXT}"\},"done":false\}$`,
);
const GENERATE = new RegExp(String.raw`${HEAD}"response":"${JSON_TEXT}","done":false\}$`);

export interface DeltaLine {
  model: string;
  content: string;
}

/** The model and text of a plain text-delta line, or `undefined` for any other line. */
export function readDeltaLine(line: string): DeltaLine | undefined {
  // Every such line ends with `false}`: a cheap test before the expression.
  if (line.length > MAX_SHAPED_LINE || line.charCodeAt(line.length - 2) !== 101) return undefined;
  const match = CHAT.exec(line) ?? GENERATE.exec(line);
  return match === null ? undefined : { model: match[1]!, content: jsonText(match[2]!) };
}
