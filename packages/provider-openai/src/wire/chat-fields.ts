import type { Timings } from '@x/provider-core';
import type { OpenAIAudioPiece } from '../audio-output-types';
import type {
  FinishReason,
  OpenAIToolCall,
  StreamChunk,
  TokenLogprob,
  UrlCitation,
} from '../types';
import type { OpenAIUsage } from '../usage-types';

// The fields of a chat completion that need mapping into the response's shape: usage, log
// probabilities, the finish reason, and which choice is the answer.

export type Json = Record<string, unknown>;

export const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
export const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;
export const obj = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null ? (value as Json) : undefined;

/** `text` parsed, when it is a JSON object (not an array); `undefined` for anything else. */
export function parseObject(text: string): Json | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Json)
    : undefined;
}

export function mapLogprobs(raw: unknown, into: TokenLogprob[]): void {
  const content = obj(raw)?.content;
  if (!Array.isArray(content)) return;
  const bytes = (v: unknown) => (Array.isArray(v) ? (v as number[]) : undefined);
  for (const item of content) {
    const entry = obj(item);
    if (entry === undefined) continue;
    const top = Array.isArray(entry.top_logprobs) ? entry.top_logprobs : [];
    into.push({
      token: str(entry.token) ?? '',
      logprob: num(entry.logprob) ?? Number.NEGATIVE_INFINITY,
      bytes: bytes(entry.bytes),
      topLogprobs: top.map((t) => {
        const alt = obj(t) ?? {};
        return {
          token: str(alt.token) ?? '',
          logprob: num(alt.logprob) ?? Number.NEGATIVE_INFINITY,
          bytes: bytes(alt.bytes),
        };
      }),
    });
  }
}

/** A token count: a non-negative integer, `undefined` for anything else a server sends. */
const count = (value: unknown): number | undefined =>
  Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;

/**
 * The usage of an answer, holding only the counts the server gave: a key is set when its value
 * is known, so the object prints, serialises and compares (`toEqual`) as what was said, never
 * with a dozen `undefined` details. Built by assignment, once per answer, no copying.
 */
export function mapUsage(usage: Json | undefined): OpenAIUsage {
  const mapped: OpenAIUsage = {};
  if (usage === undefined) return mapped;
  const promptTokens = num(usage.prompt_tokens);
  const completionTokens = num(usage.completion_tokens);
  const totalTokens =
    num(usage.total_tokens) ??
    (promptTokens !== undefined && completionTokens !== undefined
      ? promptTokens + completionTokens
      : undefined);
  if (promptTokens !== undefined) mapped.promptTokens = promptTokens;
  if (completionTokens !== undefined) mapped.completionTokens = completionTokens;
  if (totalTokens !== undefined) mapped.totalTokens = totalTokens;
  const prompt = obj(usage.prompt_tokens_details);
  // DeepSeek has long counted cache hits in its own `prompt_cache_hit_tokens`.
  const cached = num(prompt?.cached_tokens) ?? num(usage.prompt_cache_hit_tokens);
  if (cached !== undefined) mapped.cachedPromptTokens = cached;
  if (prompt !== undefined) promptDetails(prompt, mapped);
  const completion = obj(usage.completion_tokens_details);
  if (completion !== undefined) completionDetails(completion, mapped);
  // Perplexity's fields: another server's usage costs three reads here.
  if (
    usage.search_context_size !== undefined ||
    usage.num_search_queries !== undefined ||
    usage.cost !== undefined
  ) {
    searchFields(usage, mapped);
  }
  return mapped;
}

/** The counts of `prompt_tokens_details` besides the cached ones, each set when sent well-formed. */
function promptDetails(details: Json, into: OpenAIUsage): void {
  const audio = count(details.audio_tokens);
  if (audio !== undefined) into.promptAudioTokens = audio;
  const written = count(details.cache_write_tokens);
  if (written !== undefined) into.cacheWriteTokens = written;
  const text = count(details.text_tokens);
  if (text !== undefined) into.promptTextTokens = text;
  const image = count(details.image_tokens);
  if (image !== undefined) into.promptImageTokens = image;
}

/** The counts of `completion_tokens_details`, each set when sent well-formed. */
function completionDetails(details: Json, into: OpenAIUsage): void {
  const reasoning = num(details.reasoning_tokens);
  if (reasoning !== undefined) into.reasoningTokens = reasoning;
  const accepted = count(details.accepted_prediction_tokens);
  if (accepted !== undefined) into.acceptedPredictionTokens = accepted;
  const rejected = count(details.rejected_prediction_tokens);
  if (rejected !== undefined) into.rejectedPredictionTokens = rejected;
  const audio = count(details.audio_tokens);
  if (audio !== undefined) into.completionAudioTokens = audio;
  const text = count(details.text_tokens);
  if (text !== undefined) into.completionTextTokens = text;
}

const SEARCH_CONTEXT_SIZES: ReadonlySet<unknown> = new Set(['low', 'medium', 'high']);

/**
 * Perplexity's search fields (its usage's `search_context_size`, `num_search_queries` and
 * `cost.total_cost`), each set only when the server sent it well-formed: the usage is part of the
 * `response` event, so no free text of the server's goes in (a size is one of the API's three).
 */
function searchFields(usage: Json, into: OpenAIUsage): void {
  const size = usage.search_context_size;
  if (SEARCH_CONTEXT_SIZES.has(size)) into.searchContextSize = size as 'low' | 'medium' | 'high';
  const queries = num(usage.num_search_queries);
  if (queries !== undefined && Number.isInteger(queries) && queries >= 0) {
    into.searchQueries = queries;
  }
  const cost = num(obj(usage.cost)?.total_cost);
  if (cost !== undefined && cost >= 0) into.serverCostUsd = cost;
}

/**
 * Other servers' words for OpenAI's reasons, so `finishReason === 'stop'` holds everywhere:
 * Together ends with `eos` (its API's finish reasons: stop, eos, length, tool_calls,
 * function_call); Mistral with `model_length` when the model's window is full
 * (ChatCompletionChoice in its public/openapi.yaml).
 */
const SAME_REASON: Readonly<Record<string, FinishReason>> = { eos: 'stop', model_length: 'length' };

export function finishReason(
  raw: string | undefined,
  hasToolCalls: boolean,
): FinishReason | undefined {
  // Some servers say `stop` (Ollama's /v1), `eos` or the legacy `function_call` (Together) when
  // the model called tools.
  if (
    hasToolCalls &&
    (raw === undefined || raw === 'stop' || raw === 'eos' || raw === 'function_call')
  ) {
    return 'tool_calls';
  }
  if (raw === undefined || raw.length === 0) return undefined;
  return Object.hasOwn(SAME_REASON, raw) ? SAME_REASON[raw] : raw;
}

/**
 * The answer's choice: the one of index 0 (or without an index: a server that numbers none sends
 * one). A call asks for one answer (`n` other than 1 is refused), so another index is a server
 * sending extra choices unasked: its deltas are not merged into the answer.
 */
export function choiceZero(choices: unknown): Json | undefined {
  if (!Array.isArray(choices)) return undefined;
  for (const item of choices) {
    const choice = obj(item);
    if (choice !== undefined && (choice.index == null || choice.index === 0)) return choice;
  }
  return undefined;
}

/**
 * An answer's timings: only how long generation took is known, where the server says (Groq's
 * usage `completion_time`, in seconds), and the rate it gives with the completion's tokens.
 */
export function timingsOf(
  seconds: number | undefined,
  completionTokens: number | undefined,
): Timings {
  return {
    totalMs: undefined,
    loadMs: undefined,
    promptEvalMs: undefined,
    evalMs: seconds === undefined ? undefined : seconds * 1000,
    queueWaitMs: undefined,
    firstTokenMs: undefined,
    latencyMs: undefined,
    tokensPerSecond:
      seconds !== undefined && seconds > 0 && completionTokens !== undefined
        ? completionTokens / seconds
        : undefined,
  };
}

/** A chunk for the caller: what one event added, and the answer's request id. */
export function streamChunk(
  content: string,
  thinking: string | undefined,
  toolCalls: OpenAIToolCall[] | undefined,
  annotations: UrlCitation[] | undefined,
  requestId: string | undefined,
  audio?: OpenAIAudioPiece | undefined,
): StreamChunk {
  const chunk: StreamChunk = {
    content,
    thinking,
    toolCalls,
    done: false,
    response: undefined,
    requestId,
    annotations,
  };
  // Only on a chunk that brought audio: the text-only chunks keep the shape they always had.
  if (audio !== undefined) chunk.audio = audio;
  return chunk;
}

/** True when `finish` is a finish reason not seen yet (`last`): the first one, or another one. */
export function newFinish(finish: string | undefined, last: string | undefined): boolean {
  return finish !== undefined && finish.length > 0 && finish !== last;
}
