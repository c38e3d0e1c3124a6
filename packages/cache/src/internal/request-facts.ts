/**
 * Reads what the strategies need from a request in either shape: Ollama-native (`options.temperature`,
 * `options.seed`, `images`, `messages[].images`) or provider-neutral camelCase (`temperature`, `seed`,
 * content parts of type `image`/`image_url`), plus Gemini-style `generationConfig`.
 */

type Loose = Record<string, unknown>;

function asObject(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null ? (value as Loose) : undefined;
}

function pickNumber(request: Loose, name: string): number | undefined {
  const nested = asObject(request.options)?.[name] ?? asObject(request.generationConfig)?.[name];
  const value = nested ?? request[name];
  return typeof value === 'number' ? value : undefined;
}

/** The sampling temperature the request asks for, when it says one. */
export function temperatureOf(request: Loose): number | undefined {
  return pickNumber(request, 'temperature');
}

/**
 * Whether the request pins its seed. A negative seed (`-1` in llama.cpp and Ollama) means
 * "random", so it does not count.
 */
export function hasFixedSeed(request: Loose): boolean {
  const seed = pickNumber(request, 'seed');
  return seed !== undefined && Number.isInteger(seed) && seed >= 0;
}

function nonEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  const object = asObject(value);
  return object !== undefined && Object.keys(object).length > 0;
}

/** Whether the request offers tools (or legacy `functions`) to the model. */
export function hasTools(request: Loose): boolean {
  return nonEmpty(request.tools) || nonEmpty(request.functions);
}

const IMAGE_PART = /^(image|image_url|input_image)$/;

function partIsImage(part: unknown): boolean {
  const object = asObject(part);
  if (!object) return false;
  if (typeof object.type === 'string' && IMAGE_PART.test(object.type)) return true;
  return object.image !== undefined || object.image_url !== undefined;
}

/** Whether the request carries an image anywhere: `images`, `messages[].images`, image parts. */
export function hasImages(request: Loose): boolean {
  if (nonEmpty(request.images)) return true;
  const messages = request.messages;
  if (!Array.isArray(messages)) return false;
  for (const message of messages) {
    const object = asObject(message);
    if (!object) continue;
    if (nonEmpty(object.images)) return true;
    if (Array.isArray(object.content) && object.content.some(partIsImage)) return true;
  }
  return false;
}

function collectText(content: unknown, into: string[]): void {
  if (typeof content === 'string') into.push(content);
  else if (Array.isArray(content)) {
    for (const part of content) {
      const object = asObject(part);
      if (typeof part === 'string') into.push(part);
      else if (object && typeof object.text === 'string') into.push(object.text);
    }
  }
}

/**
 * What the user asked: `prompt` and the content of every `user` message. System prompts are left
 * out on purpose: they often say "current date: ..." and are part of the key anyway.
 */
export function userText(request: Loose): string[] {
  const texts: string[] = [];
  collectText(request.prompt, texts);
  const messages = request.messages;
  if (Array.isArray(messages)) {
    for (const message of messages) {
      const object = asObject(message);
      if (object?.role === 'user') collectText(object.content, texts);
    }
  }
  return texts;
}

/**
 * Members that only a request for generated text has. An OpenAI Responses request also calls its
 * prompt `input`; any of these tells it apart from an embeddings request.
 */
const GENERATION_MEMBERS = [
  'messages',
  'prompt',
  'instructions',
  'tools',
  'functions',
  'temperature',
  'max_output_tokens',
  'reasoning',
  'previous_response_id',
] as const;

function isTokenIds(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

/**
 * Whether the request asks for embeddings: an `input` of text (a string or strings) or token ids,
 * as Ollama's `/api/embed` and OpenAI's `/v1/embeddings` take it, and nothing that only a
 * generation request has. An embedding does not sample: the same model and input give the same
 * vector, whatever the temperature defaults say.
 */
export function isEmbeddingsRequest(request: Loose): boolean {
  const input = request.input;
  if (input === undefined) return false;
  for (const member of GENERATION_MEMBERS) if (request[member] !== undefined) return false;
  if (typeof input === 'string') return true;
  if (!Array.isArray(input) || input.length === 0) return false;
  return input.every(
    (item) => typeof item === 'string' || typeof item === 'number' || isTokenIds(item),
  );
}

/**
 * Words that make an answer depend on when it is asked. Heuristic by design: a miss here only
 * costs a cache entry, while caching "what is the latest version" for an hour is a wrong answer.
 */
const TIME_SENSITIVE =
  /\b(today|today's|tonight|tomorrow|yesterday|now|nowadays|right now|currently|current|latest|recent|recently|newest|breaking|this (morning|afternoon|evening|week|weekend|month|quarter|year)|up[- ]to[- ]date|as of|what time|what day|what's the date|what is the date|weather|forecast|news|stock price|live score)\b/i;

/** Whether the user's text depends on the current time ("today", "latest", "right now"...). */
export function isTimeSensitive(request: Loose): boolean {
  for (const text of userText(request)) {
    if (TIME_SENSITIVE.test(text)) return true;
  }
  return false;
}
