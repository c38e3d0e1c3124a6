/**
 * A preset zlib dictionary (RFC 1950 FDICT) for cached LLM answers. Entries of a few KiB are too
 * short for deflate to learn much from themselves; seeding its window with what such answers
 * usually contain (the JSON fields of Ollama and OpenAI-style responses and stream chunks, common
 * English words, Markdown and code punctuation) saves roughly a tenth of the stored bytes.
 *
 * Part of the stored format: changing a byte here makes every stored entry unreadable, so a new
 * dictionary needs a new format byte in codec.ts. Deflate prefers the end of the dictionary
 * (shorter distances), so the most frequent material comes last.
 */
const WORDS =
  'the of and to a in is that for it as with was on be by this are or from at an which have not ' +
  'but can you your will if all their one has more also when there what been other so into than ' +
  'its some these would only use used using then them may like such about how each any two most ' +
  'over time make first new way we they our should could between because same both well here ' +
  'where does do example value data code function return const let await async type string ' +
  'number true false null undefined error request response model message messages content role ' +
  'user assistant system tool tools call calls answer question result';

const words = WORDS.split(' ');
const lower = words.map((w) => ` ${w}`).join('');
const capitalised = words.map((w) => `${w[0]!.toUpperCase()}${w.slice(1)} `).join('');
const markdown =
  "\\n\\n## \\n\\n### \\n- **\\n1. \\n2. \\n3. \\n```typescript\\nimport { } from '';\\nconst  = await ();\\n```\\n\\n> Note: ";
const openAi =
  '{"id":"chatcmpl-","object":"chat.completion","created":1,"choices":[{"index":0,"message":' +
  '{"role":"assistant","content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,' +
  '"completion_tokens":1,"total_tokens":1}}';
const ollamaChunk =
  '{"model":"llama3.2","created_at":"2026-01-01T00:00:00.000000000Z","message":{"role":"assistant","content":""},"done":false}';
const ollama =
  '{"model":"llama3.2","created_at":"2026-01-01T00:00:00.000000000Z","message":{"role":' +
  '"assistant","content":"","tool_calls":[]},"done":true,"done_reason":"stop","total_duration":1,' +
  '"load_duration":1,"prompt_eval_count":1,"prompt_eval_duration":1,"eval_count":1,"eval_duration":1}';

export const DICTIONARY_V1: Buffer = Buffer.from(
  lower + ' ' + capitalised + markdown + openAi + ollamaChunk + ollama,
  'utf8',
);
