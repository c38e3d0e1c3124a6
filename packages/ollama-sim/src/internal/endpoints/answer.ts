import { type Admitted, expireRunner } from '../admission';
import type { Completion } from '../completion';
import { contextIds } from '../completion';
import { type Exchange, type Json, nowNs, type SimContext } from '../context';
import { goJson } from '../go-json';
import { goTimeUtc } from '../go-time';
import { answerLogprobs, logprobEntries } from '../logprobs';
import { runnerCrashText } from '../runner-crash';

// Prompt evaluation, generation and the response of chat and generate (streamed or whole), with
// Ollama's counters and field order.

const OVERFLOW_TEXT =
  'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length';

/**
 * llama-server's 400 for a prompt that does not fit its slot (its exceed_context_size_error, with
 * both counts), which Ollama passes on as the error text, body and all (llm/llama_server.go).
 */
function exceedsText(tokens: number, numCtx: number): string {
  const message = `request (${tokens} tokens) exceeds the available context size (${numCtx} tokens), try increasing it`;
  return goJson({
    error: {
      code: 400,
      message,
      type: 'exceed_context_size_error',
      n_prompt_tokens: tokens,
      n_ctx: numCtx,
    },
  });
}

/** What one chat or generate request answers. */
export interface AnswerSpec {
  readonly admitted: Admitted;
  /** The model name as the request sent it (echoed in every line). */
  readonly model: string;
  readonly route: 'chat' | 'generate';
  /** The estimated tokens of the rendered prompt. */
  readonly promptTokens: number;
  readonly completion: Completion;
  /**
   * Ollama hands the runner the prompt as it is (`truncate: false`, or images): one that does not
   * fit the window is llama-server's 400, not a silent truncation.
   */
  readonly untruncated: boolean;
  /**
   * The runner was launched with `--context-shift` (server/sched.go resolveContextShift: the
   * request's `shift`, else true but for models without it, here `contextOverflow: 'error'`).
   */
  readonly contextShift: boolean;
  /** chatPrompt already dropped old messages to fit the window (a silent truncation too). */
  readonly messagesDropped: boolean;
}

type Durations = Record<string, number>;

// Generated tokens come from a small vocabulary: their JSON text is worth keeping.
const tokenCache = new Map<string, string>();
function tokenJson(token: string): string {
  let json = tokenCache.get(token);
  if (json === undefined) {
    json = goJson(token);
    if (tokenCache.size < 4096) tokenCache.set(token, json);
  }
  return json;
}

/**
 * The prompt tokens the runner evaluates, else the error text of a prompt it refuses, as
 * llamaServerRunner.completionPromptForRequest (llm/llama_server.go) decides: a prompt handed over
 * as it is (`truncate: false`, images) goes to llama-server, which refuses one that does not fit;
 * otherwise one of more than num_ctx - 1 tokens is 400 without context shift, and with it cut to
 * num_keep tokens and the tail, contextShiftPromptLimit: num_ctx - (num_ctx - num_keep) / 2, with
 * num_keep 4 here (num_ctx/2 + 2).
 */
function evaluated(ctx: SimContext, spec: AnswerSpec): number | { error: string } {
  const { promptTokens, admitted } = spec;
  if (promptTokens < admitted.numCtx) {
    if (spec.messagesDropped) ctx.counters.truncatedPrompts++;
    return promptTokens;
  }
  if (spec.untruncated) return { error: exceedsText(promptTokens, admitted.numCtx) };
  if (!spec.contextShift) return { error: OVERFLOW_TEXT };
  ctx.counters.truncatedPrompts++;
  return Math.min(promptTokens, Math.floor(admitted.numCtx / 2) + 2);
}

/** A request whose prompt was evaluated: what its answer reports and how fast it is paced. */
export interface Evaluated {
  /** Prompt tokens evaluated (fewer than the prompt's when it was truncated). */
  readonly promptEvalCount: number;
  /** Milliseconds per generated token; 0 = no pacing. */
  readonly tokenMs: number;
  /** Ollama's counters and durations as of now (the end of the answer). */
  durations(): Durations;
}

/**
 * Evaluates the prompt: the window check (400 or silent truncation), the prompt-evaluation pause
 * and the token counters. Undefined when the request is over (an error answered, a disconnect).
 */
export async function evaluate(
  ctx: SimContext,
  ex: Exchange,
  spec: AnswerSpec,
): Promise<Evaluated | undefined> {
  const { out, life, body } = ex;
  const { completion, admitted } = spec;
  const crash = out.runnerCrash;
  if (crash !== undefined) {
    // Completion asks the runner's health first: a dead process fails the request before the
    // prompt is looked at, with the handler's 500.
    expireRunner(admitted.rt);
    await out.sendRunnerError(500, runnerCrashText(crash), body.stream !== false);
    return undefined;
  }
  const promptEvalCount = evaluated(ctx, spec);
  if (typeof promptEvalCount !== 'number') {
    // The runner's error reaches the handler before any chunk: a stream answers it as an error
    // before its first line.
    await out.sendRunnerError(400, promptEvalCount.error, body.stream !== false);
    return undefined;
  }
  const loaded = nowNs();
  const promptRate = ctx.opts.promptTokensPerSecond;
  if (Number.isFinite(promptRate)) await life.sleep((promptEvalCount / promptRate) * 1000);
  if (life.aborted) return undefined;
  const evalStart = nowNs();
  const promptEvalNs = Math.max(evalStart - loaded, promptEvalCount * 1000);
  const tps = admitted.rt.model.tokensPerSecond;
  ctx.counters.promptTokens += promptEvalCount;
  ctx.counters.evalTokens += completion.evalCount;
  return {
    promptEvalCount,
    tokenMs: Number.isFinite(tps) ? 1000 / tps : 0,
    durations() {
      const evalEnd = nowNs();
      const evalNs = Math.max(evalEnd - evalStart, completion.evalCount * 1000);
      const loadNs = Math.max(loaded - admitted.start, 1000);
      const totalNs = Math.max(evalEnd - admitted.start, loadNs + promptEvalNs + evalNs);
      return {
        total_duration: Math.round(totalNs),
        load_duration: Math.round(loadNs),
        prompt_eval_count: promptEvalCount,
        prompt_eval_duration: Math.round(promptEvalNs),
        eval_count: completion.evalCount,
        eval_duration: Math.round(evalNs),
      };
    },
  };
}

/**
 * What the native answer adds to the completion: its tool calls as the server sends them, and the
 * log probabilities the request asked for.
 */
interface Native {
  /** The calls, each without its `id` when the server is one from before 0.12.10. */
  readonly calls: readonly Json[] | undefined;
  /** `top_logprobs` of a request with `logprobs: true`; undefined: no log probabilities. */
  readonly top: number | undefined;
}

function nativeOf(ctx: SimContext, body: Json, completion: Completion): Native {
  const calls = completion.toolCalls;
  return {
    calls:
      calls === undefined || ctx.opts.toolCalls.ids
        ? calls
        : calls.map((call) => ({ function: call.function })),
    top:
      body.logprobs === true
        ? typeof body.top_logprobs === 'number'
          ? body.top_logprobs
          : 0
        : undefined,
  };
}

/** The native answer of chat and generate: one JSON body, or NDJSON lines. */
export async function answer(ctx: SimContext, ex: Exchange, spec: AnswerSpec): Promise<void> {
  const { out, life, body } = ex;
  const { completion, route } = spec;
  const run = await evaluate(ctx, ex, spec);
  if (run === undefined) return;
  const { tokenMs } = run;
  const native = nativeOf(ctx, body, completion);
  const context =
    route === 'generate' && body.raw !== true
      ? contextIds(completion.seed, spec.promptTokens + completion.evalCount)
      : undefined;
  if (body.stream === false) {
    const pieces = completion.thinking.length + completion.content.length;
    if (tokenMs > 0) await life.sleep(tokenMs * Math.max(1, pieces));
    if (life.aborted) return;
    return out.send(200, wholeAnswer(spec, native, run.durations(), context));
  }
  ctx.counters.streams++;
  return streamAnswer(ex, spec, native, tokenMs, () =>
    finalLine(spec, native, run.durations(), context),
  );
}

/** The `stream: false` body, in the field order of api.ChatResponse and api.GenerateResponse. */
function wholeAnswer(
  spec: AnswerSpec,
  native: Native,
  end: Durations,
  context: number[] | undefined,
): string {
  const { completion, model } = spec;
  const thinking = completion.thinking.length > 0 ? completion.thinking.join('') : undefined;
  const logprobs =
    native.top === undefined
      ? undefined
      : answerLogprobs(completion.seed, completion.thinking, completion.content, native.top);
  if (spec.route === 'chat') {
    return goJson({
      model,
      created_at: goTimeUtc(Date.now()),
      message: {
        role: 'assistant',
        content: completion.content.join(''),
        thinking,
        tool_calls: native.calls,
      },
      done: true,
      done_reason: completion.doneReason,
      logprobs,
      ...end,
    });
  }
  return goJson({
    model,
    created_at: goTimeUtc(Date.now()),
    response: completion.content.join(''),
    thinking,
    done: true,
    done_reason: completion.doneReason,
    context,
    ...end,
    logprobs,
  });
}

/**
 * Whether the tool calls ride on the final line: the native chat path (handleNativeChat) passes
 * on what llama-server's chat completion accumulated, calls included, with the `done: true`
 * response; Ollama's own parsers send each call in a line of its own as soon as it is parsed.
 */
const callsOnFinalLine = (spec: AnswerSpec): boolean =>
  spec.admitted.rt.model.chatTemplate === 'gguf';

/** The `done: true` line that ends a stream. */
function finalLine(
  spec: AnswerSpec,
  native: Native,
  end: Durations,
  context: number[] | undefined,
): string {
  const { completion, model } = spec;
  const created_at = goTimeUtc(Date.now());
  const tool_calls = callsOnFinalLine(spec) ? native.calls : undefined;
  const fields =
    spec.route === 'chat'
      ? { model, created_at, message: { role: 'assistant', content: '', tool_calls } }
      : { model, created_at, response: '' };
  return `${goJson({ ...fields, done: true, done_reason: completion.doneReason, context, ...end })}\n`;
}

/**
 * Streams one NDJSON line per token (thinking, then content; each with its `logprobs` when asked),
 * one per tool call, then the final line.
 */
async function streamAnswer(
  ex: Exchange,
  spec: AnswerSpec,
  native: Native,
  tokenMs: number,
  final: () => string,
): Promise<void> {
  const { out, life } = ex;
  const { completion, route } = spec;
  // No delay and no stream fault: build the whole stream and write it at once. The bytes are the
  // same; only the chunked framing differs, which no client can observe (load-test speed).
  const batch = tokenMs === 0 && out.plain;
  await out.start(200, undefined);
  if (out.gone) return;
  const head = `{"model":${goJson(spec.model)},"created_at":"`;
  const pending: string[] = [];
  // A batch is produced in one instant: one clock read stamps every line.
  const stamp = batch ? goTimeUtc(Date.now()) : '';
  const emit = async (middle: string): Promise<boolean> => {
    if (batch) {
      pending.push(head + stamp + middle);
      return true;
    }
    if (tokenMs > 0) {
      await life.sleep(tokenMs);
      if (life.aborted) return false;
    }
    return out.chunk(head + goTimeUtc(Date.now()) + middle, false);
  };
  // Each token's line carries its own entry, after `done` as both response types order them.
  let position = 0;
  const end = (token?: string): string => {
    if (token === undefined || native.top === undefined) return '"done":false}\n';
    const entries = logprobEntries(completion.seed, [token], position++, native.top);
    return `"done":false,"logprobs":${goJson(entries)}}\n`;
  };
  const chatLine = (fields: string, token?: string) =>
    `","message":{"role":"assistant",${fields}},${end(token)}`;
  for (const t of completion.thinking) {
    const middle =
      route === 'chat'
        ? chatLine(`"content":"","thinking":${goJson(t)}`, t)
        : `","response":"","thinking":${goJson(t)},${end(t)}`;
    if (!(await emit(middle))) return;
  }
  for (const t of completion.content) {
    const middle =
      route === 'chat'
        ? chatLine(`"content":${tokenJson(t)}`, t)
        : `","response":${tokenJson(t)},${end(t)}`;
    if (!(await emit(middle))) return;
  }
  if (native.calls !== undefined && !callsOnFinalLine(spec)) {
    for (const call of native.calls) {
      if (!(await emit(chatLine(`"content":"","tool_calls":[${goJson(call)}]`)))) return;
    }
  }
  pending.push(final());
  await out.chunk(pending.join(''), true);
}
