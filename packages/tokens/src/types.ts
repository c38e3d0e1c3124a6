/** The tiktoken encodings this package counts exactly. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Providers with model data and a heuristic profile. */
export type Provider = 'openai' | 'anthropic' | 'gemini' | 'mistral' | 'perplexity' | 'ollama';

/*
 * The input shapes below are open: a message or a tool may carry fields this package does not
 * read (they are billed when they are strings, or ignored). Their open part is `[key: string]:
 * any` rather than `unknown` on purpose: TypeScript gives an interface no implicit index
 * signature, so an `unknown` one refuses every message or tool typed by an interface (those of
 * `@x/provider-core` and the providers, of OpenAI's SDK) unless it is copied into a literal, while
 * an `any` one is the single index type any object satisfies. The named fields are still checked.
 */

/** A text part of a multi-part message (`{ type: 'text', text }`); other part types are ignored. */
export interface ChatContentPart {
  type: string;
  text?: string | undefined;
  [key: string]: any;
}

/**
 * A tool call made by the assistant, OpenAI shape. `arguments` is a JSON string (OpenAI's wire)
 * or an object (Ollama's), counted as its compact JSON.
 */
export interface ChatToolCall {
  id?: string | undefined;
  type?: string | undefined;
  function: { name: string; arguments: string | Readonly<Record<string, any>> };
}

/** A call of a custom tool made by the assistant, OpenAI shape: free text as `input`. */
export interface ChatCustomToolCall {
  id?: string | undefined;
  type: 'custom';
  custom: { name: string; input: string };
}

/**
 * A chat message in OpenAI's shape (Ollama uses the same fields). Every string field counts
 * (`role`, `content`, `name`, `tool_call_id`...), as in OpenAI's billing, except that a tool
 * result counted on o200k_base is named by its function, not by its role and `tool_call_id`.
 * Tool calls are read from `tool_calls` (`arguments` a JSON string, or an object as Ollama sends
 * it), from a `toolCalls` list of `{ name, arguments }` (the messages of `@x/provider-core`) or
 * from the deprecated `function_call: { name, arguments }`. Any object with these fields is
 * accepted, the messages of `@x/provider-core` and the providers included; an instance of a class
 * whose fields are getters has its own fields counted and these ones read by name.
 */
export interface ChatMessage {
  role: string;
  content?: string | null | readonly ChatContentPart[] | undefined;
  name?: string | undefined;
  tool_calls?: readonly (ChatToolCall | ChatCustomToolCall)[] | undefined;
  tool_call_id?: string | undefined;
  [key: string]: any;
}

/** A JSON-schema property of a tool's parameters (the parts that are billed). */
export interface ToolProperty {
  type?: string | readonly string[] | undefined;
  description?: string | undefined;
  enum?: readonly (string | number | boolean)[] | undefined;
  [key: string]: any;
}

/** A tool definition as sent in a chat request (`tools: [...]`), OpenAI shape. */
export interface ToolDefinition {
  type?: 'function' | string | undefined;
  function: {
    name: string;
    description?: string | undefined;
    parameters?:
      | {
          type?: string | undefined;
          properties?: Readonly<Record<string, ToolProperty>> | undefined;
          [key: string]: any;
        }
      | undefined;
    [key: string]: any;
  };
}

/**
 * The `format` of a custom tool: `{ type: 'text' }` or `{ type: 'grammar', grammar: { definition,
 * syntax: 'lark' | 'regex' } }`. `type` is required (a format without one is a `TypeError`); it is
 * typed optional, and the fields as any string, so that a format typed loosely
 * (`Record<string, unknown>`, as `@x/provider-openai`'s) is accepted: the count checks them.
 */
export interface CustomToolFormat {
  type?: 'text' | 'grammar' | (string & {}) | undefined;
  grammar?: { definition: string; syntax: 'lark' | 'regex' | (string & {}) } | undefined;
  [key: string]: any;
}

/**
 * A custom tool as sent in a chat request, OpenAI shape (`type: 'custom'`): the model calls it
 * with free text rather than JSON arguments, shaped by `format` when given (plain text, or a Lark
 * or regular-expression grammar).
 */
export interface CustomToolDefinition {
  type: 'custom';
  custom: {
    name: string;
    description?: string | undefined;
    format?: CustomToolFormat | undefined;
    [key: string]: any;
  };
}

/** A tool of a chat request's `tools`: a function or a custom tool. */
export type ChatTool = ToolDefinition | CustomToolDefinition;

/** Prices in US dollars per million tokens. */
export interface ModelPricing {
  /** USD per 1M input (prompt) tokens. */
  input: number;
  /** USD per 1M output (completion) tokens. */
  output: number;
  /** USD per 1M cached input tokens (prompt-cache reads); the input price when absent. */
  cachedInput?: number | undefined;
  /**
   * USD per 1M input tokens written to the prompt cache (Anthropic's cache writes, OpenAI's from
   * GPT-5.6 on); the input price when absent, as for a provider that writes for free.
   */
  cacheWrite?: number | undefined;
  /**
   * The prices of OpenAI's `priority` tier (`service_tier: 'priority'`), a table of their own
   * (about 1.7 to 2 times the standard prices, depending on the model); absent for a model that
   * has none known, whose priority answers `estimateCost` leaves unpriced.
   */
  priority?: TierPricing | undefined;
  /** The date (YYYY-MM-DD) the prices stand for: the date of the source they were read from. */
  asOf: string;
}

/**
 * The prices of one service tier other than the standard one, in US dollars per million tokens.
 * An absent `cachedInput` or `cacheWrite` is the tier's input price, as for the standard prices.
 */
export interface TierPricing {
  /** USD per 1M input (prompt) tokens at this tier. */
  input: number;
  /** USD per 1M output (completion) tokens at this tier. */
  output: number;
  /** USD per 1M cached input tokens at this tier; its input price when absent. */
  cachedInput?: number | undefined;
  /** USD per 1M tokens written to the prompt cache at this tier; its input price when absent. */
  cacheWrite?: number | undefined;
}

/** What the registry knows about a model. */
export interface ModelInfo {
  /** Canonical id the name resolved to (`llama3.2:3b-instruct-q4_K_M` -> `llama3.2`). */
  id: string;
  provider: Provider;
  /** Maximum prompt + output tokens. */
  contextWindow: number;
  /** Maximum tokens the model generates in one reply. */
  maxOutputTokens: number;
  /** The tiktoken encoding, for models counted exactly; `null` otherwise. */
  encoding: EncodingName | null;
  /** Prices, `null` when unknown. Local models have explicit zero prices. */
  pricing: ModelPricing | null;
  /** True for models that run locally (Ollama): they cost nothing per token. */
  local: boolean;
}
