/**
 * Most lines of a streamed Ollama answer are one token of text, in the one shape Ollama's Go
 * encoder writes (fields in struct order):
 *
 *   {"model":"llama3.2","created_at":"…","message":{"role":"assistant","content":" sky"},"done":false}
 *   {"model":"llama3.2","created_at":"…","response":" sky","done":false}            (/api/generate)
 *
 * `JSON.parse` of such a line builds two objects and costs about 0.8 µs on Node 20; recognising
 * the shape with one anchored regular expression costs about 0.1 µs, and a 16-token answer has 16
 * of these lines. Only a line that matches the shape exactly is read here: every string is a JSON
 * string with valid escapes and nothing else, so the line is valid JSON meaning exactly the two
 * captured values. Anything else (thinking, tool calls, log probabilities, the final line, an
 * error, another key order, invalid JSON) returns `undefined` and goes through `JSON.parse`.
 */

/** A JSON string's body: any character but `"`, `\` and controls, or a valid escape. */
const TEXT = String.raw`((?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*)`;
/** A model name or timestamp: no escapes (a line with one is left to `JSON.parse`). */
const PLAIN = String.raw`([^"\\\u0000-\u001f]*)`;
const HEAD = String.raw`^\{"model":"${PLAIN}","created_at":"[^"\\\u0000-\u001f]*",`;
const CHAT = new RegExp(
  `${HEAD}"message":\\{"role":"assistant","content":"${TEXT}"\\},"done":false\\}$`,
);
const GENERATE = new RegExp(`${HEAD}"response":"${TEXT}","done":false\\}$`);

/**
 * Longer lines are left to `JSON.parse`: a token line is about 130 characters, and a regular
 * expression's backtracking stack grows with the text it repeats over.
 */
const MAX_LENGTH = 2048;

export interface DeltaLine {
  model: string;
  content: string;
}

/** The model and text of a plain text-delta line, or `undefined` for any other line. */
export function readDeltaLine(line: string): DeltaLine | undefined {
  if (line.length > MAX_LENGTH || line.charCodeAt(line.length - 2) !== 101) return undefined; // `e` of `false}`
  const match = CHAT.exec(line) ?? GENERATE.exec(line);
  if (match === null) return undefined;
  const text = match[2]!;
  // Escapes (`\n`, Go's `\u003c` for `<`...) are all valid here, so this parse cannot throw.
  const content = text.includes('\\') ? (JSON.parse(`"${text}"`) as string) : text;
  return { model: match[1]!, content };
}
