/** The numbers a server's context-overflow text states (each `undefined` when it does not). */
export interface ContextOverflowCounts {
  /** The window the request ran with. */
  contextWindow: number | undefined;
  /** The prompt's tokens (all the request asked, when the text does not split it). */
  promptTokens: number | undefined;
  /** The tokens the request asked for the answer, when the text names them apart. */
  reserveOutputTokens: number | undefined;
}

// Each server words it its own way; every number is matched next to the words that say what it
// is, so a text naming other numbers (a model name with digits, `max_tokens`) is not misread.
const N = '(\\d[\\d,_]*)';

/**
 * The window: OpenAI and vLLM (`This model's maximum context length is 8192 tokens`), llama.cpp
 * passed on by Ollama (`exceeds the available context size (8192 tokens)`), Ollama's MLX runner
 * (`exceeds the model's maximum context length (8192 tokens)`), Gemini (`exceeds the maximum number
 * of tokens allowed (131072)`), Mistral (`too large for model with 32768 maximum context length`),
 * Anthropic-style (`prompt is too long: 208310 tokens > 200000 maximum`).
 */
const WINDOW = [
  new RegExp(`maximum context length is ${N} tokens`, 'i'),
  new RegExp(`available context size \\(${N} tokens?\\)`, 'i'),
  new RegExp(`maximum context length \\(${N} tokens?\\)`, 'i'),
  new RegExp(`maximum number of tokens allowed \\(${N}\\)`, 'i'),
  new RegExp(`with ${N} maximum context length`, 'i'),
  new RegExp(`too long: \\d[\\d,_]* tokens > ${N} maximum`, 'i'),
];

/** The same texts' prompt sizes, the split of prompt and answer first. */
const SPLIT = new RegExp(
  `requested ${N} tokens \\(${N} (?:in|for) (?:your prompt|the messages|the prompt)[;,] ${N} (?:in|for) the completion\\)`,
  'i',
);
const PROMPT = [
  new RegExp(`resulted in ${N} tokens`, 'i'),
  new RegExp(`your request has ${N} input tokens`, 'i'),
  new RegExp(`requested ${N} tokens`, 'i'),
  new RegExp(`request \\(${N} tokens?\\) exceeds`, 'i'),
  new RegExp(`input length \\(${N} tokens?\\)`, 'i'),
  new RegExp(`input token count \\(${N}\\)`, 'i'),
  new RegExp(`prompt contains ${N} tokens`, 'i'),
  new RegExp(`too long: ${N} tokens >`, 'i'),
];

function count(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.replace(/[,_]/g, ''));
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function first(patterns: readonly RegExp[], text: string): number | undefined {
  for (const pattern of patterns) {
    const found = count(pattern.exec(text)?.[1]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What a server's context-overflow text (`serverMessage`) says of the window and the prompt. */
export function contextOverflowCounts(serverMessage: string): ContextOverflowCounts {
  // Server texts are bounded already; a cut keeps the scan short whatever a caller passes.
  const text = serverMessage.slice(0, 4096);
  const contextWindow = first(WINDOW, text);
  const split = SPLIT.exec(text);
  const prompt = count(split?.[2]);
  const answer = count(split?.[3]);
  if (prompt !== undefined && answer !== undefined) {
    return { contextWindow, promptTokens: prompt, reserveOutputTokens: answer };
  }
  return { contextWindow, promptTokens: first(PROMPT, text), reserveOutputTokens: undefined };
}
