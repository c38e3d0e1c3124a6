import type { OpenAIModerationRequest } from './moderation-types';

/**
 * `prompt_cache_options` (gpt-5.6 and later): how OpenAI's prompt cache places its breakpoints.
 * `'implicit'` (the server's default) adds one breakpoint of its own choosing to the explicit
 * ones (`cacheBreakpoint: true` on a message or a content part; the latest three are written);
 * `'explicit'` only the latest four explicit ones, and without any there is no prompt caching
 * (refused before sending). Not part of the cache key.
 */
export interface OpenAIPromptCacheOptions {
  mode?: 'implicit' | 'explicit' | undefined;
  /** The minimum lifetime of the breakpoints the request writes: `'30m'`, the only value yet. */
  ttl?: '30m' | undefined;
}

/**
 * The request fields only OpenAI's own API takes: refused before sending on every preset but
 * `openai` (and presets of your own that extend it).
 */
export interface OpenAIOnlyRequestFields {
  /**
   * `moderation`: moderated completions. The answer's `moderation` holds the results; a stream is
   * read to its moderation chunk, after the usage one. Part of the cache key.
   */
  moderation?: OpenAIModerationRequest | undefined;
  /** `prompt_cache_options`: explicit or implicit prompt-cache breakpoints, their lifetime. */
  promptCacheOptions?: OpenAIPromptCacheOptions | undefined;
}
