import { type Accumulator, SseDecoder, serverExcerpt, type WireMessage } from '@x/provider-core';
import type { OpenAIAudioPiece } from '../audio-output-types';
import { OpenAIStreamError, type PartialResponse } from '../errors';
import type {
  ChatResponse,
  OpenAIToolCall,
  StreamChunk,
  TokenLogprob,
  UrlCitation,
} from '../types';
import { readChunks } from './answer-chunks';
import { AnswerIdentity } from './answer-identity';
import { answerMessage } from './answer-message';
import { AudioOutput } from './audio-output';
import {
  choiceZero,
  finishReason,
  type Json,
  mapLogprobs,
  mapUsage,
  newFinish,
  num,
  obj,
  parseObject,
  str,
  streamChunk,
  timingsOf,
} from './chat-fields';
import { Citations } from './citations';
import { finishError, inBandError, isError } from './in-band-error';
import { ModerationReader } from './moderation';
import { requestIdOf } from './request-id';
import { scrubbedCalls } from './scrubbed-calls';
import { readShapedEvent } from './shaped-event';
import { ToolCalls } from './tool-calls';

/**
 * Folds a `/chat/completions` answer into a response: a `chat.completion` object whole, or
 * `chat.completion.chunk` events one by one (tool calls assembled from their deltas by index, the
 * usage from the last event `stream_options.include_usage` asks for). The answer ends at
 * `data: [DONE]`, or as soon as both the finish reason and the usage arrived (nothing else is due:
 * a server that keeps the connection open after them is not waited for), or, on a server whose
 * finish event carries a running usage (`usageAfterFinish`), at the usage-only event after it; a
 * moderated request's answer (`moderated`) only once its moderation chunk arrived too (or `[DONE]`).
 * An error event becomes an {@link OpenAIStreamError} carrying what came before.
 */
export class ChatAccumulator implements Accumulator<StreamChunk, ChatResponse> {
  readonly #redact: (text: string) => string;
  readonly #label: string;
  content = '';
  thinking = '';
  refusal = '';
  chunks = 0;
  /**
   * Events that brought text, reasoning, a refusal, audio, tool-call bytes, logprobs or a new finish
   * reason, or ended the answer: what the idle deadline counts (a repeated finish is a stall).
   */
  progress = 0;
  readonly #calls = new ToolCalls((detail) => this.#malformedCall(detail));
  #callsSent = false;
  readonly #citations: Citations;
  readonly #audio = new AudioOutput();
  readonly #moderation: ModerationReader;
  #logprobs: TokenLogprob[] | undefined;
  #finish: string | undefined;
  /** An event carried choice 0 (`choices: []`, Azure's first event or the usage one, does not). */
  #answered = false;
  #usage: Json | undefined;
  /** The usage came in an event without the answer's choice: the usage-only event, the last. */
  #usageFinal = false;
  readonly #usageAfterFinish: boolean;
  /** Groq's `completion_time`, in seconds, from whichever usage gave it. */
  #seconds: number | undefined;
  readonly #identity = new AnswerIdentity();
  #done = false;
  /** The last event that brought anything was an audio expiry alone (AudioOutput.expiry). */
  #expired = false;
  /** The answer's `x-request-id`, scrubbed and cut: on every chunk and on the response. */
  #requestId: string | undefined;

  constructor(
    redact: (text: string) => string,
    label: string,
    usageAfterFinish = false,
    moderated = false,
  ) {
    this.#redact = redact;
    this.#label = label;
    this.#usageAfterFinish = usageAfterFinish;
    this.#moderation = new ModerationReader(moderated, redact);
    this.#citations = new Citations(redact);
  }

  get done(): boolean {
    return this.#done;
  }

  /** The answer's headers, before its body: its request id is all that is kept of them. */
  headers(headers: Readonly<Record<string, string | string[] | undefined>>): void {
    this.#requestId = requestIdOf(headers, this.#redact);
  }

  /** One server-sent event. Returns what it adds for the caller, or undefined. */
  add(message: WireMessage): StreamChunk | undefined {
    if (this.#done) return undefined;
    if (message.data === '[DONE]') {
      // An answer that never began (a proxy that dropped every event; no event with choice 0), not
      // an empty reply to return and cache: one of those has its choice, with its finish reason.
      if (!this.#answered) {
        throw this.#notAnswer(this.chunks === 0 ? '[DONE] before any event' : 'no choice 0');
      }
      this.#done = true;
      this.progress++;
      // An audio stream may end with its expiry and no finish reason (openai/openai-node#1206):
      // its answer arrived whole, as openai-node's stream helper reads it too.
      if (this.#finish === undefined && this.#expired && this.#audio.whole) this.#finish = 'stop';
      const calls = this.#takeCalls();
      if (calls === undefined) return undefined;
      return streamChunk('', undefined, calls, undefined, this.#requestId);
    }
    const shaped = message.event === undefined ? readShapedEvent(message.data) : undefined;
    let content = '';
    let thinking: string | undefined;
    let cited: UrlCitation[] | undefined;
    let audio: OpenAIAudioPiece | undefined;
    let moved: boolean;
    if (shaped !== undefined) {
      // What #fold() makes of the event, unbuilt; its id, model and time are read from the last.
      this.chunks++;
      this.#identity.later(message.data);
      if (shaped.usage !== undefined) {
        this.#usage = shaped.usage;
        this.#usageFinal = true;
      }
      content = shaped.content;
      this.content += content;
      // Only the choice shape has a finish reason or text: the usage shape has `choices: []`.
      if (shaped.usage === undefined) this.#answered = true;
      const finished = newFinish(shaped.finish, this.#finish);
      this.#finishWith(shaped.finish);
      moved = content.length > 0 || finished;
      if (moved) this.#expired = false;
    } else {
      ({ content, thinking, cited, audio, moved } = this.#fold(message));
    }
    this.#done =
      this.#finish !== undefined &&
      this.#usage !== undefined &&
      (this.#usageFinal || !this.#usageAfterFinish) &&
      !this.#moderation.pending;
    // A usage-only event counts only when it completes the answer (repeated usage is no output).
    if (moved || this.#done) this.progress++;
    const calls = this.#finish !== undefined ? this.#takeCalls() : undefined;
    if (
      content.length === 0 &&
      thinking === undefined &&
      calls === undefined &&
      cited === undefined &&
      audio === undefined
    ) {
      return undefined;
    }
    return streamChunk(content, thinking, calls, cited, this.#requestId, audio);
  }

  /** A whole answer: a `chat.completion` object, or events after all (a proxy that streamed). */
  addWhole(text: string): void {
    const start = text.trimStart();
    if (start.startsWith('data:') || start.startsWith(':')) {
      const decoder = new SseDecoder(text.length + 1);
      const onMessage = (m: WireMessage) => void this.add(m);
      decoder.push(Buffer.from(text, 'utf8'), onMessage);
      decoder.end(onMessage);
      return;
    }
    // A web page where the API should be: a baseUrl without the API's path, a captive portal, a
    // proxy's login page. Saying so beats "not JSON", which sends the user to the server's output.
    if (start.startsWith('<')) {
      throw this.#invalid(
        `${this.#label} answered with an HTML or XML document, not a chat completion (is baseUrl the API's address, with its version prefix such as /v1?): ${serverExcerpt(start, this.#redact)}`,
      );
    }
    const answer = this.#parse(text);
    if (isError(answer.error)) this.#fail(text);
    if (!Array.isArray(answer.choices) || answer.choices.length === 0) {
      throw this.#notAnswer(serverExcerpt(text, this.#redact));
    }
    this.#meta(answer);
    const choice = choiceZero(answer.choices);
    // Only another index's choice (`n` > 1 answered without choice 0): not this answer.
    if (choice === undefined) throw this.#notAnswer(serverExcerpt(text, this.#redact));
    const message = obj(choice.message) ?? {};
    const content = message.content;
    this.content = typeof content === 'string' ? content : '';
    this.thinking = str(message.reasoning_content) ?? str(message.reasoning) ?? '';
    // Mistral's reasoning models: the thinking and the text as chunks (`answer-chunks.ts`).
    if (Array.isArray(content)) {
      const read = readChunks(content);
      this.content = read.text;
      if (this.thinking.length === 0) this.thinking = read.thinking;
    }
    this.refusal = str(message.refusal) ?? '';
    this.#audio.add(message.audio, this.#redact);
    this.#calls.add(message.tool_calls, true);
    this.#citations.addSources(answer, this.#citations.add(message.annotations));
    if (choice.logprobs != null) mapLogprobs(choice.logprobs, (this.#logprobs ??= []));
    this.#moderation.add(answer.moderation);
    this.#finishWith(str(choice.finish_reason));
    this.#done = true;
  }

  /** The error of an answer that is no chat completion (`what` already redacted). */
  #notAnswer(what: string): OpenAIStreamError {
    return this.#invalid(`${this.#label}'s answer is not a chat completion: ${what}`);
  }

  /** A malformed tool call (no name; a custom call's input not text): never run as `''`. */
  #malformedCall(detail: string): never {
    throw this.#invalid(`${this.#label} sent a malformed tool call: ${detail}`);
  }

  /** An `invalid-json` error carrying what arrived. */
  #invalid(message: string): OpenAIStreamError {
    const partial = this.partial();
    return new OpenAIStreamError({ label: this.#label, reason: 'invalid-json', message, partial });
  }

  partial(): PartialResponse {
    return {
      content: this.content,
      thinking: this.thinking,
      toolCalls: this.#calls.list(),
      chunks: this.chunks,
    };
  }

  build(): ChatResponse {
    this.#identity.settle();
    // Fresh objects, not the chunk's: a caller may change what a chunk handed it (cached after).
    const toolCalls = scrubbedCalls(this.#calls.complete(), this.#redact);
    const thinking = this.thinking.length > 0 ? this.thinking : undefined;
    const refusal = this.refusal.length > 0 ? this.refusal : undefined;
    const audio = this.#audio.result();
    const message = answerMessage(this.content, thinking, toolCalls, refusal, audio?.id);
    const usage = mapUsage(this.#usage);
    return {
      content: this.content,
      message,
      toolCalls,
      thinking,
      model: this.#identity.model,
      finishReason: finishReason(this.#finish, toolCalls.length > 0),
      usage,
      timings: timingsOf(this.#seconds, usage.completionTokens),
      cached: false,
      costUsd: undefined,
      truncated: false,
      estimatedPromptTokens: undefined,
      attempts: 0,
      id: this.#identity.id,
      created: this.#identity.created,
      systemFingerprint: this.#identity.fingerprint,
      serviceTier: this.#identity.serviceTier,
      refusal,
      audio,
      logprobs: this.#logprobs,
      requestId: this.#requestId,
      annotations: this.#citations.list,
      moderation: this.#moderation.result(),
    };
  }

  /**
   * Folds an event in through `JSON.parse`: the text, reasoning, citations and audio it adds, and
   * whether it brought anything (what `progress` counts).
   */
  #fold(message: WireMessage): {
    content: string;
    thinking: string | undefined;
    cited: UrlCitation[] | undefined;
    audio: OpenAIAudioPiece | undefined;
    moved: boolean;
  } {
    // An event named `error` is the server's failure whatever its data: plain text included
    // (a crashed server's or a proxy's words), which is its message, not an answer that is not JSON.
    if (message.event === 'error') this.#fail(message.data);
    const event = this.#parse(message.data);
    if (isError(event.error)) this.#fail(message.data);
    this.chunks++;
    this.#identity.settle();
    this.#meta(event);
    this.#moderation.add(event.moderation);
    const choice = choiceZero(event.choices);
    let content = '';
    let thinking: string | undefined;
    let cited: UrlCitation[] | undefined;
    let audio: OpenAIAudioPiece | undefined;
    let moved = false;
    if (choice !== undefined) {
      this.#answered = true;
      const delta = obj(choice.delta) ?? {};
      const given = delta.content;
      let chunked: string | undefined;
      if (typeof given === 'string') {
        content = given;
      } else if (Array.isArray(given)) {
        // Mistral's reasoning models stream thinking (and some text) as chunks.
        const read = readChunks(given);
        content = read.text;
        if (read.thinking.length > 0) chunked = read.thinking;
      }
      this.content += content;
      // DeepSeek, vLLM and Together stream `reasoning_content`; Groq and Ollama `reasoning`.
      let reasoning = str(delta.reasoning_content) ?? str(delta.reasoning);
      if (chunked !== undefined && (reasoning === undefined || reasoning.length === 0)) {
        reasoning = chunked;
      }
      if (reasoning !== undefined && reasoning.length > 0) {
        thinking = reasoning;
        this.thinking += reasoning;
      }
      const refusal = str(delta.refusal);
      if (refusal !== undefined) this.refusal += refusal;
      audio = this.#audio.add(delta.audio, this.#redact);
      const called = this.#calls.add(delta.tool_calls);
      cited = this.#citations.add(delta.annotations);
      const logprobs = this.#logprobs?.length ?? 0;
      if (choice.logprobs != null) mapLogprobs(choice.logprobs, (this.#logprobs ??= []));
      const finish = str(choice.finish_reason);
      const finished = newFinish(finish, this.#finish);
      this.#finishWith(finish);
      moved =
        content.length > 0 ||
        thinking !== undefined ||
        (refusal !== undefined && refusal.length > 0) ||
        AudioOutput.heard(audio) ||
        called ||
        (this.#logprobs?.length ?? 0) > logprobs ||
        finished;
      if (AudioOutput.expiry(audio) && !moved) this.#expired = true;
      else if (moved) this.#expired = false;
    }
    cited = this.#citations.addSources(event, cited);
    // A citation is progress, as text is (Perplexity's sources sit beside `choices`).
    return { content, thinking, cited, audio, moved: moved || cited !== undefined };
  }

  /** Keeps a finish reason; `error` is the server failing mid-answer (`finishError`). */
  #finishWith(finish: string | undefined): void {
    if (finish === 'error') throw finishError(this.#label, this.partial(), this.#produced());
    if (finish !== undefined) this.#finish = finish;
  }

  /** The assembled tool calls, once: when the answer says why it finished (or at its end). */
  #takeCalls(): OpenAIToolCall[] | undefined {
    if (this.#callsSent || this.#calls.size === 0) return undefined;
    this.#callsSent = true;
    return scrubbedCalls(this.#calls.complete(), this.#redact);
  }

  #meta(event: Json): void {
    this.#identity.read(event);
    // Groq puts the usage under `x_groq` in its last chunk.
    const usage = obj(event.usage) ?? obj(obj(event.x_groq)?.usage);
    if (usage !== undefined) {
      this.#usage = usage;
      this.#usageFinal = choiceZero(event.choices) === undefined;
      this.#seconds = num(usage.completion_time) ?? this.#seconds;
    }
  }

  #parse(text: string): Json {
    const value = parseObject(text);
    if (value !== undefined) return value;
    // No SyntaxError as cause: its message quotes the text unredacted.
    throw this.#invalid(
      `${this.#label} sent data that is not a JSON object: ${serverExcerpt(text, this.#redact)}`,
    );
  }

  #fail(text: string): never {
    // The server's failure before anything was produced is retryable, as a 5xx would be: the
    // request path never retries once a chunk reached the caller, and none of this attempt did.
    throw inBandError(text, this.#redact, this.#label, this.partial(), this.#produced());
  }

  /** True once the answer holds anything: text, reasoning, a refusal, audio, tool calls, logprobs. */
  #produced(): boolean {
    return (
      this.content.length > 0 ||
      this.thinking.length > 0 ||
      this.refusal.length > 0 ||
      this.#audio.produced ||
      this.#calls.size > 0 ||
      (this.#logprobs?.length ?? 0) > 0 ||
      this.#citations.list !== undefined
    );
  }
}
