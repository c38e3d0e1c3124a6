/**
 * Reads what the strategies need from a request in any of the shapes in use: Ollama-native
 * (`options.temperature`, `options.seed`, `images`, `messages[].images`), provider-neutral
 * camelCase (`temperature`, `seed`, content parts of type `image`/`image_url`), OpenAI Responses
 * (`input`, `input_text`/`input_image` parts) and Gemini (`generationConfig`, `contents[].parts`).
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
  return (
    object.image !== undefined ||
    object.image_url !== undefined ||
    // Gemini's media parts, in the SDK's and in the REST API's spelling.
    object.inlineData !== undefined ||
    object.fileData !== undefined ||
    object.inline_data !== undefined ||
    object.file_data !== undefined
  );
}

function someIsImage(parts: unknown): boolean {
  if (!Array.isArray(parts)) return false;
  for (const part of parts) if (partIsImage(part)) return true;
  return false;
}

/**
 * Whether a list of turns (`messages`, a Responses `input`, Gemini `contents`) carries an image:
 * a turn's `images`, an image among its `content` or `parts`, or an image part given as a turn.
 */
function turnsHaveImages(turns: unknown): boolean {
  if (!Array.isArray(turns)) {
    // Gemini's SDK also takes one turn as `contents`.
    const object = asObject(turns);
    return object !== undefined && someIsImage(object.parts);
  }
  for (const turn of turns) {
    const object = asObject(turn);
    if (!object) continue;
    if (nonEmpty(object.images) || partIsImage(object)) return true;
    if (someIsImage(object.content) || someIsImage(object.parts)) return true;
  }
  return false;
}

/**
 * Whether the request carries an image anywhere: `images`, `messages[].images`, image parts in
 * `messages[].content` or a Responses `input`, Gemini media parts in `contents[].parts`.
 */
export function hasImages(request: Loose): boolean {
  return (
    nonEmpty(request.images) ||
    turnsHaveImages(request.messages) ||
    turnsHaveImages(request.input) ||
    turnsHaveImages(request.contents)
  );
}

/** Whether `pattern` matches a text of `content`: a string, or parts (strings, `{ text }`). */
function textMatches(content: unknown, pattern: RegExp): boolean {
  if (typeof content === 'string') return pattern.test(content);
  if (!Array.isArray(content)) return false;
  for (const part of content) {
    const text = typeof part === 'string' ? part : asObject(part)?.text;
    if (typeof text === 'string' && pattern.test(text)) return true;
  }
  return false;
}

/**
 * Whether `pattern` matches the text of a user turn in `turns`: a string (Gemini's SDK, a
 * Responses `input`), a text part given as a turn (no role), or a turn whose role is `user` (`content` of
 * messages and Responses input items; `parts` of Gemini contents, whose role may be left out).
 */
function userTurnsMatch(turns: unknown, pattern: RegExp): boolean {
  if (typeof turns === 'string') return pattern.test(turns);
  if (!Array.isArray(turns)) {
    const object = asObject(turns);
    return object !== undefined && isUserTurn(object) && textMatches(object.parts, pattern);
  }
  for (const turn of turns) {
    if (typeof turn === 'string') {
      if (pattern.test(turn)) return true;
      continue;
    }
    const object = asObject(turn);
    if (!object) continue;
    if (object.role === undefined && typeof object.text === 'string') {
      if (pattern.test(object.text)) return true;
    } else if (isUserTurn(object)) {
      if (textMatches(object.content, pattern) || textMatches(object.parts, pattern)) return true;
    }
  }
  return false;
}

/** A `user` turn, or a Gemini turn without a role (which means the user's). */
function isUserTurn(turn: Loose): boolean {
  return turn.role === 'user' || (turn.role === undefined && Array.isArray(turn.parts));
}

/**
 * Whether `pattern` matches what the user asked: `prompt`, the content of every `user` message,
 * a Responses `input` (a string, or its `user` items), and Gemini `contents` (`user` turns, or
 * turns without a role). System prompts are left out on purpose (`system`, `instructions`,
 * `systemInstruction`): they often say "current date: ..." and are part of the key anyway.
 * Nothing is collected: the texts are tested where they are.
 */
function userTextMatches(request: Loose, pattern: RegExp): boolean {
  return (
    textMatches(request.prompt, pattern) ||
    userTurnsMatch(request.messages, pattern) ||
    userTurnsMatch(request.input, pattern) ||
    userTurnsMatch(request.contents, pattern)
  );
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
  return userTextMatches(request, TIME_SENSITIVE);
}
