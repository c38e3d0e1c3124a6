import type { Provider as TokensProvider } from '@x/tokens';

// The shape of a preset (`presets.ts` holds the built-in ones, `custom-preset.ts` checks yours).

/**
 * A request field a server refuses when it is sent at all, named as in `ChatRequest`
 * (`messages[].name`: the `name` of a user, system or assistant message; `messages[].images`,
 * `messages[].audio`, `messages[].files`: a user message's `image_url`, `input_audio` and `file`
 * parts).
 */
export type RefusedField =
  | 'logprobs'
  | 'topLogprobs'
  | 'logitBias'
  | 'user'
  | 'verbosity'
  | 'safetyIdentifier'
  | 'messages[].name'
  | 'messages[].images'
  | 'messages[].audio'
  | 'messages[].files';

/**
 * How an earlier assistant turn's `thinking` is sent back: in which field (`'thinking-chunk'`: as
 * Mistral's `{ type: 'thinking', thinking: [{ type: 'text', text }], closed: true }` before the
 * text in `content`), and on which turns (`'tool-calls'`: those that called tools; `'all'`).
 */
export interface ThinkingEcho {
  readonly field: 'reasoning_content' | 'reasoning' | 'thinking-chunk';
  readonly turns: 'tool-calls' | 'all';
}

/** What a server takes as `/embeddings` input; anything else is refused before sending. */
export interface EmbeddingInputRules {
  /** An empty text (`''`, or `''` in a list) is embedded, not refused. */
  readonly emptyText: boolean;
  /** Token ids (`number[]`, `number[][]`) are taken. */
  readonly tokenIds: boolean;
  /** The most items an input array may hold (`undefined`: no limit known). */
  readonly maxItems: number | undefined;
}

/** What a preset sets: where the API is, how it is called, limited, counted and priced. */
export interface OpenAIPreset {
  /** Name in messages: `Groq /chat/completions answered 429`. */
  readonly label: string;
  /** Base URL, with the API's version prefix (`/v1`): endpoints are appended to it. */
  readonly baseUrl: string;
  /**
   * How the key is sent: `Authorization: Bearer <key>` for every preset; the environment variable
   * read when `apiKey` is not given (`undefined`: none is read, a local server needs no key).
   */
  readonly apiKeyEnv: string | undefined;
  /** Requests per second of the provider's own limiter (the server's headers refine it). */
  readonly requestsPerSecond: number;
  /** Where that figure comes from. */
  readonly rateSource: string;
  /** How prompts are estimated: OpenAI models are counted exactly, others with this profile. */
  readonly tokens: TokensProvider;
  /** A local server: every token is priced 0 (hosted ones are priced from `@x/tokens`' table). */
  readonly local: boolean;
  /** The field the answer's length cap (`maxTokens`) is sent in. */
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** The field `seed` is sent in: Mistral's is `random_seed`, and it refuses `seed` (422). */
  readonly seedField: 'seed' | 'random_seed';
  /**
   * The field an embedding's `dimensions` is sent in: Mistral's is `output_dimension`, and its
   * EmbeddingRequest refuses any other key (422).
   */
  readonly dimensionsField: 'dimensions' | 'output_dimension';
  /** The embeddings' wire format: `base64` is 4x smaller than decimal text (decoded for you). */
  readonly embeddingsEncoding: 'float' | 'base64';
  /**
   * Streams ask for `stream_options: { include_usage: true }`. Mistral refuses the field (422)
   * and sends the usage with its last chunk anyway.
   */
  readonly streamUsage: boolean;
  /** The window the server runs a model with when that is not the model's own (Ollama's `num_ctx`). */
  readonly contextWindow: number | undefined;
  /**
   * Fields the server answers with a 4xx whenever they are sent: a request that sets one is
   * refused before anything is sent, naming the field, rather than failing on the server.
   */
  readonly refusedFields: readonly RefusedField[];
  /**
   * The role a `developer` message is sent as: `developer` where the API has the role (OpenAI),
   * `system` elsewhere, as OpenAI itself treats it for older models.
   */
  readonly developerRole: 'developer' | 'system';
  /** How an assistant message's `thinking` is sent back; `undefined`: it is not sent. */
  readonly thinkingEcho: ThinkingEcho | undefined;
  /**
   * The image data URL types the server decodes (`data:<type>;base64,`), when it takes only these
   * and no `https:` URL; an image of another type is refused before sending. `''` is a data URL
   * without a type. `undefined`: any image, URLs included (the server's to say).
   */
  readonly imageTypes: readonly string[] | undefined;
  /**
   * The types of file the server reads from a `file` part's data (`data:<type>;base64,`, or the
   * type read from the bytes); a file of another type is refused before sending (an uploaded
   * file's `fileId` is the server's to check). `undefined`: any file (the server's to say).
   */
  readonly fileTypes: readonly string[] | undefined;
  /** What `/embeddings` takes as input. */
  readonly embeddingInput: EmbeddingInputRules;
  /**
   * A stream's finish event may carry a running usage that a usage-only event (`choices: []`)
   * completes later: the answer ends at that event or `[DONE]`, not at the first usage after the
   * finish reason (Groq's `x_groq.usage`, vLLM's `continuous_usage_stats`).
   */
  readonly usageAfterFinish: boolean;
}

/**
 * The server's own word on what an embedding takes: any text, token ids, no known limit. Which
 * servers refuse more (OpenAI, Ollama) is said where they are.
 */
export const ANY_EMBEDDING_INPUT: EmbeddingInputRules = Object.freeze({
  emptyText: true,
  tokenIds: true,
  maxItems: undefined,
});
