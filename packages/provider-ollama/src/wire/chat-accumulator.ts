import { MAX_TOOL_CALLS, TOO_MANY_TOOL_CALLS } from '@x/internal';
import {
  type Accumulator,
  redactedServerText,
  serverExcerpt,
  type Timings,
  type TokenLogprob,
  usageOf,
  type WireMessage,
} from '@x/provider-core';
import { OllamaStreamError, type PartialResponse } from '../errors';
import type { ChatResponse, FinishReason, StreamChunk, ToolCall, Usage } from '../types';
import { readDeltaLine } from './delta-line';
import { mapToolCalls } from './tool-calls';

type Json = Record<string, unknown>;

/** The longest `remote_model` or `remote_host` kept: a name or a URL, not a megabyte. */
const MAX_REMOTE = 256;

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

const nsToMs = (value: unknown): number | undefined => {
  const n = num(value);
  return n === undefined ? undefined : n / 1e6;
};

function mapAlternative(
  raw: unknown,
): { token: string; logprob: number; bytes?: number[] | undefined } | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const item = raw as Json;
  const logprob = num(item.logprob);
  if (typeof item.token !== 'string' || logprob === undefined) return undefined;
  const out: { token: string; logprob: number; bytes?: number[] | undefined } = {
    token: item.token,
    logprob,
  };
  if (Array.isArray(item.bytes))
    out.bytes = item.bytes.filter((b): b is number => typeof b === 'number');
  return out;
}

/**
 * Ollama's `logprobs` (snake_case, per chunk) as typed entries; malformed items are skipped, and a
 * list with none left is `undefined` (no progress: `[null]` repeated must not hold off `idleMs`).
 */
export function mapLogprobs(raw: unknown): TokenLogprob[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const out: TokenLogprob[] = [];
  for (const item of raw) {
    const entry: TokenLogprob | undefined = mapAlternative(item);
    if (entry === undefined) continue;
    const top = (item as Json).top_logprobs;
    if (Array.isArray(top)) {
      entry.topLogprobs = top
        .map(mapAlternative)
        .filter((t): t is NonNullable<typeof t> => t !== undefined);
    }
    out.push(entry);
  }
  return out.length > 0 ? out : undefined;
}

export function mapUsage(final: Json | undefined): Usage {
  return usageOf(num(final?.prompt_eval_count), num(final?.eval_count));
}

/** Server durations (nanoseconds on the wire) in ms; the client's fields are filled later. */
export function mapTimings(final: Json | undefined): Timings {
  const evalCount = num(final?.eval_count);
  const evalNs = num(final?.eval_duration);
  return {
    totalMs: nsToMs(final?.total_duration),
    loadMs: nsToMs(final?.load_duration),
    promptEvalMs: nsToMs(final?.prompt_eval_duration),
    evalMs: nsToMs(final?.eval_duration),
    queueWaitMs: undefined,
    firstTokenMs: undefined,
    latencyMs: undefined,
    tokensPerSecond:
      evalCount !== undefined && evalNs !== undefined && evalNs > 0
        ? (evalCount / evalNs) * 1e9
        : undefined,
  };
}

/**
 * The `done_reason` values `FinishReason` promises, as a `Record` over it: a reason added to the
 * type fails to compile until it is added here too.
 */
const FINISH_REASONS: Record<FinishReason, true> = {
  stop: true,
  length: true,
  tool_calls: true,
  load: true,
  unload: true,
};

/**
 * The answer's `FinishReason`: a `done_reason` outside the set the type promises (a newer
 * server's, or any text a hostile one puts there) is unknown, `undefined`, never passed on as it is.
 */
function finishReason(raw: unknown, hasToolCalls: boolean): FinishReason | undefined {
  if (hasToolCalls && (raw === 'stop' || raw === undefined)) return 'tool_calls';
  return typeof raw === 'string' && Object.hasOwn(FINISH_REASONS, raw)
    ? (raw as FinishReason)
    : undefined;
}

/**
 * Folds `/api/chat` chunks (or the single non-streamed object) into a response, and turns an
 * `{"error": ...}` line into an {@link OllamaStreamError} carrying what came before. The answer
 * ends at `done: true`: anything after it is ignored.
 */
export class ChatAccumulator implements Accumulator<StreamChunk, ChatResponse> {
  /** Scrubs secrets from server text that ends up in an error (a proxy may echo headers). */
  readonly #redact: (text: string) => string;

  constructor(redact: (text: string) => string = (text) => text) {
    this.#redact = redact;
  }

  content = '';
  thinking = '';
  toolCalls: ToolCall[] = [];
  chunks = 0;
  /** Lines that brought text, thinking, tool calls or log probabilities, or ended the answer. */
  progress = 0;
  model = '';
  final: Json | undefined;
  /** Log probabilities, when the request asked for them. */
  logprobs: TokenLogprob[] | undefined;

  /**
   * One NDJSON line. Returns the delta as a stream chunk, or undefined when the line brings
   * nothing to hand on (the final chunk, an empty delta).
   */
  add(message: WireMessage): StreamChunk | undefined {
    if (this.final !== undefined) return undefined;
    return this.addLine(message.data);
  }

  /**
   * A whole `stream: false` answer: one JSON object, or NDJSON lines when the server streamed
   * after all (a proxy, an old server).
   */
  addWhole(text: string): void {
    const newline = text.indexOf('\n');
    if (newline === -1 || newline === text.length - 1) {
      this.addLine(text);
      return;
    }
    for (const line of text.split('\n')) {
      if (this.final !== undefined) return;
      if (line.trim().length > 0) this.addLine(line);
    }
  }

  /** Parses one line: the delta as a stream chunk, or undefined, as {@link add} says. */
  addLine(line: string): StreamChunk | undefined {
    const delta = readDeltaLine(line);
    if (delta !== undefined) {
      // What addObject() makes of the same line, without building it first.
      this.chunks++;
      this.model = delta.model;
      // An empty `content` is no progress (a server repeating it must not hold off `idleMs`),
      // and no chunk: the caller gets only chunks that carry something, as from OpenAI.
      if (delta.content.length === 0) return undefined;
      this.progress++;
      this.content += delta.content;
      return {
        content: delta.content,
        thinking: undefined,
        toolCalls: undefined,
        done: false,
        response: undefined,
      };
    }
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      // No SyntaxError as `cause`: its message quotes the start of the line, unredacted.
      throw new OllamaStreamError({
        reason: 'invalid-json',
        message: `Ollama sent a line that is not JSON: ${serverExcerpt(line, this.#redact)}`,
        partial: this.partial(),
      });
    }
    return this.addObject(obj as Json);
  }

  addObject(obj: Json): StreamChunk | undefined {
    if (typeof obj !== 'object' || obj === null) {
      throw new OllamaStreamError({
        reason: 'invalid-json',
        message: 'Ollama sent a line that is not a JSON object',
        partial: this.partial(),
      });
    }
    if (typeof obj.error === 'string' && obj.message === undefined) {
      throw new OllamaStreamError({
        reason: 'server-error',
        serverMessage: redactedServerText(obj.error, this.#redact),
        partial: this.partial(),
      });
    }
    // Every chunk Ollama sends has `done`, and text in `message` or `response`. Anything else is
    // another service's JSON (`{"detail":"Not Found"}`): counted as a chunk, it would be yielded
    // and the answer would end as a stream cut short, blaming the network.
    if (typeof obj.done !== 'boolean' && obj.message === undefined && obj.response === undefined) {
      throw new OllamaStreamError({
        reason: 'invalid-json',
        message: `Ollama sent JSON that is not a chat or generate chunk (no done, message or response): ${serverExcerpt(JSON.stringify(obj), this.#redact)}`,
        partial: this.partial(),
      });
    }
    this.chunks++;
    if (typeof obj.model === 'string') this.model = obj.model;
    const message = obj.message as Json | undefined;
    let content = '';
    let thinking: string | undefined;
    let toolCalls: ToolCall[] | undefined;
    if (message !== undefined && message !== null) {
      if (typeof message.content === 'string') {
        content = message.content;
        this.content += content;
      }
      if (typeof message.thinking === 'string' && message.thinking.length > 0) {
        thinking = message.thinking;
        this.thinking += thinking;
      }
      toolCalls = this.#keep(message.tool_calls);
    } else if (typeof obj.response === 'string') {
      // `/api/generate` framing (a proxy mapping chat onto generate): the text is `response`, and
      // the calls a model's built-in parser found are top-level `tool_calls` (on the last chunk).
      content = obj.response;
      this.content += content;
      if (typeof obj.thinking === 'string' && obj.thinking.length > 0) {
        thinking = obj.thinking;
        this.thinking += thinking;
      }
      toolCalls = this.#keep(obj.tool_calls);
    }
    const logprobs = mapLogprobs(obj.logprobs);
    if (logprobs !== undefined) (this.logprobs ??= []).push(...logprobs);
    if (
      content.length > 0 ||
      thinking !== undefined ||
      toolCalls !== undefined ||
      logprobs !== undefined ||
      obj.done === true
    ) {
      this.progress++;
    }
    if (obj.done === true) this.final = obj;
    // Nothing to hand on (a final chunk usually, or an empty delta): no chunk for the caller. A
    // final chunk still counts if the server put text there.
    if (
      content.length === 0 &&
      thinking === undefined &&
      toolCalls === undefined &&
      logprobs === undefined
    ) {
      return undefined;
    }
    const chunk: StreamChunk = { content, thinking, toolCalls, done: false, response: undefined };
    if (logprobs !== undefined) chunk.logprobs = logprobs;
    return chunk;
  }

  /** A chunk's calls, typed and kept; past the cap a malformed answer, before any is mapped. */
  #keep(raw: unknown): ToolCall[] | undefined {
    if (Array.isArray(raw) && this.toolCalls.length + raw.length > MAX_TOOL_CALLS) {
      // Items that are not objects are skipped, so only calls count.
      let count = this.toolCalls.length;
      for (const item of raw) if (typeof item === 'object' && item !== null) count++;
      if (count > MAX_TOOL_CALLS) this.#malformed(TOO_MANY_TOOL_CALLS);
    }
    const calls = mapToolCalls(raw, this.#malformed, this.#redact);
    if (calls !== undefined) for (const call of calls) this.toolCalls.push(call);
    return calls;
  }

  /** A tool call without a name: refused (`invalid-json`) rather than run as a tool named `''`. */
  readonly #malformed = (detail: string): never => {
    throw new OllamaStreamError({
      reason: 'invalid-json',
      message: `Ollama sent a malformed tool call: ${detail}`,
      partial: this.partial(),
    });
  };

  get done(): boolean {
    return this.final !== undefined;
  }

  partial(): PartialResponse {
    return {
      content: this.content,
      thinking: this.thinking,
      toolCalls: [...this.toolCalls],
      chunks: this.chunks,
    };
  }

  /** The response; the request path fills the client-side fields (attempts, latency...). */
  build(): ChatResponse {
    const final = this.final;
    const hasTools = this.toolCalls.length > 0;
    const thinking = this.thinking.length > 0 ? this.thinking : undefined;
    const message: ChatResponse['message'] = { role: 'assistant', content: this.content };
    if (thinking !== undefined) message.thinking = thinking;
    if (hasTools) message.toolCalls = this.toolCalls;
    const response: ChatResponse = {
      content: this.content,
      message,
      toolCalls: this.toolCalls,
      thinking,
      model: this.model,
      createdAt: typeof final?.created_at === 'string' ? final.created_at : undefined,
      finishReason: finishReason(final?.done_reason, hasTools),
      usage: mapUsage(final),
      timings: mapTimings(final),
      cached: false,
      costUsd: undefined,
      truncated: false,
      estimatedPromptTokens: undefined,
      numCtx: undefined,
      attempts: 0,
    };
    if (this.logprobs !== undefined) response.logprobs = this.logprobs;
    // A cloud model's answer names what answered upstream. Set only when sent, so a local answer
    // keeps its shape; scrubbed as an error's server text is.
    if (typeof final?.remote_model === 'string') {
      response.remoteModel = this.#redact(final.remote_model.slice(0, MAX_REMOTE));
    }
    if (typeof final?.remote_host === 'string') {
      response.remoteHost = this.#redact(final.remote_host.slice(0, MAX_REMOTE));
    }
    return response;
  }
}
