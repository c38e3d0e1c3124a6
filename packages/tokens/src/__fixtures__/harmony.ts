import { getEncoding } from 'js-tiktoken';

// OpenAI's harmony chat format (the OpenAI cookbook's "OpenAI harmony response format", the one
// format OpenAI publishes that renders tool calls), counted the way o200k_harmony counts it: each
// special token is one token, the text between them is o200k_base's.
const o200k = getEncoding('o200k_base');
const SPECIAL = /<\|(?:start|message|end|channel|constrain|call|return)\|>/g;

/** One message of a harmony conversation. */
export type HarmonyMessage =
  | { role: string; content: string }
  | { call: string; arguments: string }
  | { result: string; content: string };

function render(message: HarmonyMessage): string {
  if ('call' in message) {
    return `<|start|>assistant<|channel|>commentary to=functions.${message.call}<|constrain|>json<|message|>${message.arguments}<|call|>`;
  }
  if ('result' in message) {
    return `<|start|>functions.${message.result} to=assistant<|channel|>commentary<|message|>${message.content}<|end|>`;
  }
  return `<|start|>${message.role}<|message|>${message.content}<|end|>`;
}

/** The tokens of a conversation rendered in harmony, with the reply primed (`<|start|>assistant`). */
export function harmonyTokens(messages: readonly HarmonyMessage[]): number {
  const text = `${messages.map(render).join('')}<|start|>assistant`;
  const specials = text.match(SPECIAL)?.length ?? 0;
  let tokens = specials;
  for (const part of text.split(SPECIAL)) if (part !== '') tokens += o200k.encode(part).length;
  return tokens;
}
