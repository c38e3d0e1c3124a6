import type { ToolCall } from './completion';
import type { Counters, Exchange, SimContext } from './context';
import { type AnswerSpec, evaluate } from './endpoints/answer';
import type { GenerationWriter } from './endpoints/generation';
import { goJson } from './go-json';
import { answerLogprobs, logprobEntries } from './logprobs';
import type { V1Request } from './openai-request';
import { hashString } from './prng';
import { splitTokens } from './text';
import { OPENAI_JSON_TYPE, SSE_TYPE } from './wire';

// The answers of /v1/chat/completions and /v1/completions as Ollama's OpenAI middleware writes
// them (ChatWriter, CompleteWriter): one JSON body, or server-sent events `data: {chunk}\n\n`
// ending with `data: [DONE]\n\n`. Each native stream line becomes one event, paced like it; the
// finish chunk, the usage chunk and [DONE] leave in one write, as Go buffers them.

/** What one /v1 answer holds, whatever produced it (a completion, or a load-only request). */
interface Result {
  readonly route: 'chat' | 'generate';
  readonly model: string;
  readonly id: string;
  readonly thinking: readonly string[];
  readonly content: readonly string[];
  readonly toolCalls: readonly ToolCall[] | undefined;
  readonly finish: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly seed: number;
  readonly tokenMs: number;
  /** Streamed tool calls in OpenAI's pieces rather than whole (`v1ToolCalls: 'split'`). */
  readonly splitCalls: boolean;
  /** The native answer carried the calls on its final line: their chunk leaves with the finish. */
  readonly callsAtEnd: boolean;
}

const seconds = (): number => Math.floor(Date.now() / 1000);

function usageOf(r: Result): Record<string, number> {
  return {
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.promptTokens + r.completionTokens,
  };
}

/** openai.ToToolCalls: `arguments` as a JSON string. */
function toolCallsJson(calls: readonly ToolCall[]): Record<string, unknown>[] {
  return calls.map((c) => ({
    id: c.id,
    index: c.function.index,
    type: 'function',
    function: { name: c.function.name, arguments: goJson(c.function.arguments) },
  }));
}

/** The `stream: false` body. */
function wholeJson(r: Result, v1: V1Request): string {
  const created = seconds();
  const head = { id: r.id, object: '', created, model: r.model, system_fingerprint: 'fp_ollama' };
  if (r.route === 'generate') {
    const choice = { text: r.content.join(''), index: 0, finish_reason: r.finish };
    return `${goJson({ ...head, object: 'text_completion', choices: [choice], usage: usageOf(r) })}\n`;
  }
  const entries = v1.logprobs
    ? answerLogprobs(r.seed, r.thinking, r.content, v1.topLogprobs)
    : undefined;
  const choice = {
    index: 0,
    message: {
      role: 'assistant',
      content: r.content.join(''),
      reasoning: r.thinking.length > 0 ? r.thinking.join('') : undefined,
      tool_calls: r.toolCalls === undefined ? undefined : toolCallsJson(r.toolCalls),
    },
    finish_reason: r.finish,
    logprobs: entries === undefined ? undefined : { content: entries },
  };
  return `${goJson({ ...head, object: 'chat.completion', choices: [choice], usage: usageOf(r) })}\n`;
}

/** A stream's events before the last write, each made when it is sent, and that last write. */
interface Events {
  readonly paced: (() => string)[];
  readonly last: () => string;
  /**
   * The chunk Ollama's writer makes of a native error line mid-stream: the line decodes as an
   * answer with nothing in it, so the chunk is ordinary, with `"model":""` and an empty text.
   */
  readonly empty: () => string;
}

/** The events of a chat stream: role first, reasoning, content, tool calls, finish. */
function chatEvents(r: Result, v1: V1Request): Events {
  const created = seconds();
  const headOf = (model: string) =>
    `data: {"id":"${r.id}","object":"chat.completion.chunk","created":${created},"model":${goJson(model)},"system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":`;
  const head = headOf(r.model);
  let first = true;
  const role = () => {
    const text = first ? '"role":"assistant",' : '';
    first = false;
    return text;
  };
  let position = 0;
  const event = (delta: string, token?: string) => {
    let tail = ',"finish_reason":null}]}\n\n';
    if (token !== undefined && v1.logprobs) {
      const entries = logprobEntries(r.seed, [token], position++, v1.topLogprobs);
      tail = `,"finish_reason":null,"logprobs":${goJson({ content: entries })}}]}\n\n`;
    }
    return head + delta + tail;
  };
  const paced: (() => string)[] = [];
  for (const t of r.thinking)
    paced.push(() => event(`{${role()}"content":"","reasoning":${goJson(t)}}`, t));
  for (const t of r.content) paced.push(() => event(`{${role()}"content":${goJson(t)}}`, t));
  const calls = r.toolCalls ?? [];
  let callsEvent: (() => string) | undefined;
  if (calls.length > 0 && !r.splitCalls) {
    // Ollama's writer turns each native line with calls into one chunk: every call of the line
    // whole, its arguments one JSON string (openai.ToToolCalls). Its parsers send a call per line;
    // llama-server's native chat path sends them all on the final line.
    const callsOf = (some: readonly ToolCall[]) => () =>
      event(`{${role()}"content":"","tool_calls":${goJson(toolCallsJson(some))}}`);
    if (r.callsAtEnd) callsEvent = callsOf(calls);
    else for (const call of calls) paced.push(callsOf([call]));
  }
  if (r.splitCalls) {
    for (const call of calls) {
      // OpenAI streams a call as deltas keyed by `index`: id, type and name first, then the
      // arguments in pieces the client concatenates.
      const index = call.function.index;
      const opening = {
        id: call.id,
        index,
        type: 'function',
        function: { name: call.function.name, arguments: '' },
      };
      paced.push(() => event(`{${role()}"content":"","tool_calls":[${goJson(opening)}]}`));
      for (const piece of splitTokens(goJson(call.function.arguments)))
        paced.push(() =>
          event(`{"tool_calls":[{"index":${index},"function":{"arguments":${goJson(piece)}}}]}`),
        );
    }
  }
  const last = () => {
    let text = r.callsAtEnd && callsEvent !== undefined ? callsEvent() : '';
    // A stream with nothing to say still opens with the role, as Ollama's writer does.
    if (first) text += event(`{${role()}"content":""}`);
    text += `${head}{},"finish_reason":${goJson(r.finish)}}]}\n\n`;
    if (v1.includeUsage)
      text += `data: {"id":"${r.id}","object":"chat.completion.chunk","created":${created},"model":${goJson(r.model)},"system_fingerprint":"fp_ollama","choices":[],"usage":${goJson(usageOf(r))}}\n\n`;
    return `${text}data: [DONE]\n\n`;
  };
  // Every chunk of the stream shares `created`, the first answer's time (the writer pins it).
  const empty = () => `${headOf('')}{${role()}"content":""},"finish_reason":null}]}\n\n`;
  return { paced, last, empty };
}

/** The events of a text completion stream: one per native line, the final one with the reason. */
function completionEvents(r: Result, v1: V1Request): Events {
  // With include_usage every chunk carries zeroed usage until the usage chunk, as Ollama writes it.
  const zeros = v1.includeUsage
    ? ',"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}'
    : '';
  const event = (text: string, finish: string | null, usage = zeros, model = r.model) =>
    `data: {"id":"${r.id}","object":"text_completion","created":${seconds()},"choices":[{"text":${goJson(text)},"index":0,"finish_reason":${goJson(finish)}}],"model":${goJson(model)},"system_fingerprint":"fp_ollama"${usage}}\n\n`;
  // Thinking lines have an empty `response`: the writer turns them into empty chunks.
  const paced = [...r.thinking.map(() => ''), ...r.content].map((t) => () => event(t, null));
  const last = () => {
    let text = event('', r.finish);
    if (v1.includeUsage)
      text += `data: {"id":"${r.id}","object":"text_completion","created":${seconds()},"choices":[],"model":${goJson(r.model)},"system_fingerprint":"fp_ollama","usage":${goJson(usageOf(r))}}\n\n`;
    return `${text}data: [DONE]\n\n`;
  };
  return { paced, last, empty: () => event('', null, zeros, '') };
}

async function write(
  ex: Exchange,
  r: Result,
  v1: V1Request,
  counters: Counters | undefined,
): Promise<void> {
  const { out, life } = ex;
  ex.quota?.charge(r.promptTokens + r.completionTokens);
  if (!v1.stream) {
    const pieces = r.thinking.length + r.content.length;
    if (r.tokenMs > 0) await life.sleep(r.tokenMs * Math.max(1, pieces));
    if (life.aborted) return;
    return out.send(200, wholeJson(r, v1), OPENAI_JSON_TYPE);
  }
  if (counters !== undefined) counters.streams++;
  const events = r.route === 'chat' ? chatEvents(r, v1) : completionEvents(r, v1);
  out.emptyEvent = events.empty;
  await out.start(200, SSE_TYPE);
  if (out.gone) return;
  // No pacing and no stream fault: one write of the same bytes (load-test speed).
  if (r.tokenMs === 0 && out.plain) {
    await out.chunk(events.paced.map((e) => e()).join('') + events.last(), true);
    return;
  }
  for (const e of events.paced) {
    if (r.tokenMs > 0) {
      await life.sleep(r.tokenMs);
      if (life.aborted) return;
    }
    if (!(await out.chunk(e(), false))) return;
  }
  await out.chunk(events.last(), true);
}

const idFor = (route: 'chat' | 'generate', n: number): string =>
  `${route === 'chat' ? 'chatcmpl' : 'cmpl'}-${n % 999}`;

/** Answers a chat or generate request the way Ollama's OpenAI layer rewrites it. */
export function openAiWriter(v1: V1Request): GenerationWriter {
  return {
    async answer(ctx: SimContext, ex: Exchange, spec: AnswerSpec): Promise<void> {
      const run = await evaluate(ctx, ex, spec);
      if (run === undefined) return;
      const c = spec.completion;
      const result: Result = {
        route: spec.route,
        model: spec.model,
        id: idFor(spec.route, c.seed),
        thinking: c.thinking,
        content: c.content,
        toolCalls: c.toolCalls,
        finish: c.toolCalls !== undefined && c.doneReason === 'stop' ? 'tool_calls' : c.doneReason,
        promptTokens: run.promptEvalCount,
        completionTokens: c.evalCount,
        seed: c.seed,
        tokenMs: run.tokenMs,
        splitCalls: ctx.opts.v1ToolCalls === 'split',
        callsAtEnd: spec.admitted.rt.model.chatTemplate === 'gguf',
      };
      return write(ex, result, v1, ctx.counters);
    },
    loadOnly(ex, model, route, reason) {
      const empty: Result = {
        route,
        model,
        id: idFor(route, hashString(model)),
        thinking: [],
        content: [],
        toolCalls: undefined,
        finish: reason,
        promptTokens: 0,
        completionTokens: 0,
        seed: 0,
        tokenMs: 0,
        splitCalls: false,
        callsAtEnd: false,
      };
      return write(ex, empty, v1, undefined);
    },
  };
}
