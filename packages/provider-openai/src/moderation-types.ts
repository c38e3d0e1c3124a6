// Moderated completions (OpenAI's `moderation` request field, openai-node 7.5.0): what a request
// asks for, and the results the answer carries (`ChatResponse.moderation`).

/** How moderation treats one side of the exchange: score it only, or block what it flags. */
export interface OpenAIModerationMode {
  mode: 'score' | 'block';
}

/**
 * `moderation`: run a moderation model over the request's input and the generated output. Sent
 * as given; OpenAI's own API only (refused before sending on every other preset).
 */
export interface OpenAIModerationRequest {
  /** The moderation model, such as `'omni-moderation-latest'`. */
  model: string;
  /** The policy of the input and of the output; the server's default for a side left out. */
  policy?:
    | {
        input?: OpenAIModerationMode | undefined;
        output?: OpenAIModerationMode | undefined;
      }
    | undefined;
}

/** One moderation result (`category_scores` and `category_applied_input_types` in camelCase). */
export interface OpenAIModerationResult {
  type: 'moderation_result';
  /** The moderation model that produced it. */
  model: string;
  /** True when any category flagged the content. */
  flagged: boolean;
  /** Each category (`'hate'`, `'self-harm/intent'`...), true when flagged under it. */
  categories: Record<string, boolean>;
  /** Each category's score, 0 to 1. */
  categoryScores: Record<string, number>;
  /** Which input modalities (`'text'`, `'image'`) each category's score reflects. */
  categoryAppliedInputTypes: Record<string, Array<'text' | 'image'>>;
}

/** The moderation of one side, as the server gave it. */
export type OpenAIModerationOutcome =
  | { type: 'moderation_results'; model: string; results: OpenAIModerationResult[] }
  /** Moderation of this side failed: the server's code and message (scrubbed of secrets). */
  | { type: 'error'; code: string; message: string };

/**
 * The moderation of an answer (the completion's top-level `moderation`, in a stream the moderation
 * chunk's): of the request's input and of the generated output, `undefined` for a side the server
 * left out.
 */
export interface OpenAIModeration {
  input: OpenAIModerationOutcome | undefined;
  output: OpenAIModerationOutcome | undefined;
}
