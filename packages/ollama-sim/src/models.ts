/** A model capability as Ollama reports it in `/api/show` and `/api/tags`. */
export type ModelCapability =
  | 'completion'
  | 'tools'
  | 'insert'
  | 'vision'
  | 'embedding'
  | 'thinking'
  | 'audio'
  | 'image';

/**
 * A model the simulator serves. Only `name` is required; the rest defaults to a small
 * llama-style completion model.
 *
 * @example
 * ```ts
 * const model: SimModel = { name: 'tiny:1b', family: 'llama', contextLength: 8192, capabilities: ['completion', 'tools'] };
 * ```
 */
export interface SimModel {
  /** `[namespace/]model[:tag]`; the tag defaults to `latest`. Matched case-insensitively. */
  readonly name: string;
  /** `details.family`. @default 'llama' */
  readonly family?: string | undefined;
  /** GGUF `general.architecture`, the prefix of `<arch>.context_length` in `/api/show`. @default family */
  readonly architecture?: string | undefined;
  /** Trained maximum context (`<arch>.context_length`); caps every window. @default 131072 */
  readonly contextLength?: number | undefined;
  /** Modelfile `num_ctx`: this model's default window, used when a request sets none. @default undefined (the server's `defaultNumCtx`) */
  readonly numCtx?: number | undefined;
  /** `details.parameter_size`. @default '3.2B' */
  readonly parameterSize?: string | undefined;
  /** `details.quantization_level`. @default 'Q4_K_M' */
  readonly quantizationLevel?: string | undefined;
  /** Capabilities. @default ['completion'] */
  readonly capabilities?: readonly ModelCapability[] | undefined;
  /** `<arch>.embedding_length`: hidden size, and the vector length `/api/embed` returns. @default 3072 (768 for embedding models) */
  readonly embeddingLength?: number | undefined;
  /** File size in bytes (`/api/tags` `size`). @default derived from `parameterSize` */
  readonly size?: number | undefined;
  /** sha256 hex digest. @default derived from the name */
  readonly digest?: string | undefined;
  /** `modified_at` (ms since epoch, Date or ISO string). @default 2026-08-01T00:00:00Z */
  readonly modifiedAt?: number | Date | string | undefined;
  /** Time to load the model before its first answer (and after a `num_ctx` change), in ms. @default the server's `loadTimeMs` */
  readonly loadTimeMs?: number | undefined;
  /** Generation speed in tokens per second; `0` or `Infinity` means no delay. @default the server's `tokensPerSecond` */
  readonly tokensPerSecond?: number | undefined;
  /** Parallel request slots. Forced to 1 for embedding models, as Ollama does. @default the server's `numParallel` */
  readonly numParallel?: number | undefined;
  /**
   * What a prompt still longer than the window after a chat's oldest messages were dropped does:
   * `'truncate'` (the runner's context shift cuts it: 200, `prompt_eval_count` ≈ `num_ctx / 2 + 2`,
   * the default) or `'error'` (400, a model without context shift); a request's `shift` overrides it,
   * and reloads a runner launched with the other setting.
   * @default 'truncate'
   */
  readonly contextOverflow?: 'truncate' | 'error' | undefined;
  /**
   * Which chat template turns a chat into the prompt, as Ollama picks it per model: `'ollama'`
   * (the Modelfile `TEMPLATE`, or one of Ollama's renderers and parsers, as for the library's
   * models: Ollama parses the tool calls out of the output and streams each in a `done: false`
   * line as soon as it is parsed) or `'gguf'` (a model without one, served with the GGUF's own
   * template by llama-server: the tool calls arrive on the final `done: true` line). Only where
   * streamed tool calls go differs; `/v1` streams look the same either way.
   * @default 'ollama'
   */
  readonly chatTemplate?: 'ollama' | 'gguf' | undefined;
  /** Stop sequences listed in `/api/show` `parameters`. @default [] */
  readonly stop?: readonly string[] | undefined;
  /** Chat template text shown by `/api/show`. @default a llama-3 style template */
  readonly template?: string | undefined;
  /** Licence text shown by `/api/show` (omitted when absent, as Ollama omits empty fields). @default undefined */
  readonly license?: string | undefined;
  /**
   * Modelfile `SYSTEM` prompt: shown by `/api/show` and counted in `prompt_eval_count` of every
   * chat whose first message is not a system message, and of generate without `system` (invisible
   * to the client, as in Ollama).
   * @default undefined
   */
  readonly system?: string | undefined;
}

/**
 * The models a simulator serves when `models` is not given: the three of the shared fixtures
 * (`qwen2.5:7b`, `nomic-embed-text`, `llama3.2`) plus a thinking model (`qwen3:4b`).
 */
export const defaultModels: readonly SimModel[] = Object.freeze([
  {
    name: 'qwen2.5:7b',
    license: 'Apache License\nVersion 2.0, January 2004\n[... abbreviated by the simulator ...]',
    family: 'qwen2',
    contextLength: 32768,
    parameterSize: '7.6B',
    embeddingLength: 3584,
    size: 4683087332,
    digest: '845dbda0ea48ed749caafd9e6037047aa19acfcfd82e704d7ca97d631a0b697e',
    modifiedAt: '2026-08-21T16:03:11.804Z',
    capabilities: ['completion', 'tools', 'insert'],
    stop: ['<|im_start|>', '<|im_end|>'],
  },
  {
    name: 'qwen3:4b',
    license: 'Apache License\nVersion 2.0, January 2004\n[... abbreviated by the simulator ...]',
    family: 'qwen3',
    contextLength: 40960,
    parameterSize: '4.0B',
    embeddingLength: 2560,
    size: 2497293918,
    modifiedAt: '2026-08-15T10:00:00.000Z',
    capabilities: ['completion', 'tools', 'thinking'],
    stop: ['<|im_start|>', '<|im_end|>'],
  },
  {
    name: 'nomic-embed-text:latest',
    license: 'Apache License\nVersion 2.0, January 2004\n[... abbreviated by the simulator ...]',
    family: 'nomic-bert',
    contextLength: 2048,
    parameterSize: '137M',
    quantizationLevel: 'F16',
    embeddingLength: 768,
    size: 274302450,
    digest: '0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f',
    modifiedAt: '2026-08-12T09:40:57.113Z',
    capabilities: ['embedding'],
  },
  {
    name: 'llama3.2:latest',
    license:
      'LLAMA 3.2 COMMUNITY LICENSE AGREEMENT\nLlama 3.2 Version Release Date: September 25, 2024\n[... abbreviated by the simulator ...]',
    family: 'llama',
    contextLength: 131072,
    parameterSize: '3.2B',
    embeddingLength: 3072,
    size: 2019393189,
    digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    modifiedAt: '2026-07-30T18:22:05.402Z',
    capabilities: ['completion', 'tools'],
    stop: ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'],
  },
] satisfies SimModel[]);
