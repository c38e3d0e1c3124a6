// The token counts of an answer: the core's, with the details OpenAI's `CompletionUsage`
// (openai-node v7.5.0) and other servers (DeepSeek, Perplexity, OpenRouter) add.
import type { Usage } from '@x/provider-core';

/**
 * Token counts, with OpenAI's details when the server sends them: a count the server did not
 * send is absent, no key holding `undefined`.
 */
export interface OpenAIUsage extends Usage {
  /**
   * Prompt tokens served from the server's prompt cache (`prompt_tokens_details.cached_tokens`,
   * else DeepSeek's `prompt_cache_hit_tokens`).
   */
  cachedPromptTokens?: number | undefined;
  /** Hidden reasoning tokens (`completion_tokens_details.reasoning_tokens`). */
  reasoningTokens?: number | undefined;
  /** Predicted Outputs: prediction tokens that appeared in the answer (`accepted_prediction_tokens`). */
  acceptedPredictionTokens?: number | undefined;
  /** Prediction tokens that did not, billed as completion tokens (`rejected_prediction_tokens`). */
  rejectedPredictionTokens?: number | undefined;
  /** Audio tokens of the prompt (`prompt_tokens_details.audio_tokens`). */
  promptAudioTokens?: number | undefined;
  /** Audio tokens of the answer (`completion_tokens_details.audio_tokens`). */
  completionAudioTokens?: number | undefined;
  /**
   * Prompt tokens written to the server's prompt cache (`prompt_tokens_details.cache_write_tokens`:
   * OpenAI, OpenRouter). OpenAI bills them at 1.25 times the input price from GPT-5.6 on, and
   * `costUsd` includes it; earlier models write at no more than the input price.
   */
  cacheWriteTokens?: number | undefined;
  /** Text tokens of the prompt (`prompt_tokens_details.text_tokens`). */
  promptTextTokens?: number | undefined;
  /** Image tokens of the prompt (`prompt_tokens_details.image_tokens`). */
  promptImageTokens?: number | undefined;
  /** Text tokens of the answer (`completion_tokens_details.text_tokens`). */
  completionTextTokens?: number | undefined;
  /**
   * Perplexity's `search_context_size` (`'low'`, `'medium'` or `'high'`): how much of the web the
   * answer read, which sets its request fee. Present only when the server says.
   */
  searchContextSize?: 'low' | 'medium' | 'high' | undefined;
  /** Perplexity's `num_search_queries`: the searches the answer ran. Present only when sent. */
  searchQueries?: number | undefined;
  /**
   * Perplexity's `cost.total_cost`: what the server says the call cost, in US dollars, its search
   * fees included (`costUsd` leaves them out). Present only when sent.
   */
  serverCostUsd?: number | undefined;
}
