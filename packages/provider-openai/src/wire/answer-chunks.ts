// An answer's `content` as a list of chunks instead of a string, as Mistral's reasoning models
// write it (Magistral; Mistral Small/Medium with `reasoning_effort`), whole and in a stream's
// `delta.content`: `{ type: 'text', text }` is the answer's text, `{ type: 'thinking', thinking:
// [TextChunk | ReferenceChunk], closed? }` its reasoning (Mistral's OpenAPI: TextChunk,
// ThinkChunk, ReferenceChunk). A chunk of another type (`reference`, which carries ids, no text)
// or an item of another shape adds nothing: a server's newer chunk must not fail the answer.

/** The text and the thinking of a list of chunks, each `''` when it has none. */
export interface ChunkText {
  text: string;
  thinking: string;
}

/** The `text` of each `{ type: 'text' }` item of `list`, joined. */
function texts(list: readonly unknown[]): string {
  let out = '';
  for (const item of list) {
    if (typeof item !== 'object' || item === null) continue;
    const chunk = item as { type?: unknown; text?: unknown };
    if (chunk.type === 'text' && typeof chunk.text === 'string') out += chunk.text;
  }
  return out;
}

/** What `chunks` (a `content` that is an array) holds: text chunks' text, thinking chunks' text. */
export function readChunks(chunks: readonly unknown[]): ChunkText {
  let text = '';
  let thinking = '';
  for (const item of chunks) {
    if (typeof item !== 'object' || item === null) continue;
    const chunk = item as { type?: unknown; text?: unknown; thinking?: unknown };
    if (chunk.type === 'text') {
      if (typeof chunk.text === 'string') text += chunk.text;
    } else if (chunk.type === 'thinking' && Array.isArray(chunk.thinking)) {
      thinking += texts(chunk.thinking);
    }
  }
  return { text, thinking };
}

/**
 * An assistant turn's `thinking` as Mistral takes it back: a closed thinking chunk before the
 * turn's text (`content` as sent: text, `null`, or a list of parts).
 */
export function withThinkingChunk(content: unknown, thinking: string): unknown[] {
  const chunk = { type: 'thinking', thinking: [{ type: 'text', text: thinking }], closed: true };
  if (Array.isArray(content)) return [chunk, ...content];
  if (typeof content === 'string' && content.length > 0) {
    return [chunk, { type: 'text', text: content }];
  }
  return [chunk];
}
