import { isPlainObject } from '@x/internal';
import type { ToolCall } from './completion';
import type { Exchange, Json, SimContext } from './context';
import { evaluate } from './endpoints/answer';
import type { GenerationWriter } from './endpoints/generation';
import { goJson } from './go-json';
import { hashString, mix } from './prng';
import { OPENAI_JSON_TYPE } from './wire';

// The answer of a non-streamed `/v1/responses` as Ollama's ResponsesWriter writes it
// (openai.ToResponse, openai/responses.go): one `response` object, the request's settings echoed
// back in ResponsesResponse's field order, encoded by json.Encoder (a trailing newline).

/** What the answer is made of, whatever produced it (a completion, or a load-only request). */
interface Answer {
  readonly model: string;
  readonly seed: number;
  readonly thinking: string;
  readonly content: string;
  readonly toolCalls: readonly ToolCall[] | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Go marshals a map[string]any with its keys sorted, at every depth. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isPlainObject(value)) return value;
  const out: Json = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(out, key, {
      value: sortedKeys(value[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A request's tool as openai.ResponsesTool marshals it again (nullable fields as null). */
function echoedTool(tool: unknown): Json {
  const t = isPlainObject(tool) ? tool : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    type: str(t.type),
    name: str(t.name),
    description: typeof t.description === 'string' ? t.description : null,
    strict: typeof t.strict === 'boolean' ? t.strict : null,
    parameters: isPlainObject(t.parameters) ? sortedKeys(t.parameters) : null,
    tools: Array.isArray(t.tools) && t.tools.length > 0 ? t.tools.map(echoedTool) : undefined,
  };
}

/** `text.format` echoed (openai.ResponsesTextFormat), `{"type":"text"}` when none was sent. */
function echoedFormat(request: Json): Json {
  const text = request.text;
  if (!isPlainObject(text) || !isPlainObject(text.format)) return { type: 'text' };
  const f = text.format;
  return {
    type: typeof f.type === 'string' ? f.type : '',
    name: typeof f.name === 'string' && f.name !== '' ? f.name : undefined,
    schema: f.schema ?? undefined,
    strict: typeof f.strict === 'boolean' ? f.strict : undefined,
  };
}

function reasoningOf(request: Json): Json | null {
  const r = isPlainObject(request.reasoning) ? request.reasoning : {};
  const effort = typeof r.effort === 'string' && r.effort !== '' ? r.effort : undefined;
  const summary = typeof r.summary === 'string' && r.summary !== '' ? r.summary : undefined;
  return effort === undefined && summary === undefined ? null : { effort, summary };
}

/** openai.ToResponse's body; the ids the middleware draws at random are seeded here. */
function responseJson(a: Answer, request: Json): string {
  const responseId = `resp_${a.seed % 999_999}`;
  const output: Json[] = [];
  if (a.thinking !== '')
    output.push({
      id: `rs_${responseId}`,
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: a.thinking }],
      encrypted_content: a.thinking,
    });
  if (a.toolCalls !== undefined && a.toolCalls.length > 0) {
    a.toolCalls.forEach((call, i) => {
      output.push({
        id: `fc_${responseId}_${i}`,
        type: 'function_call',
        status: 'completed',
        call_id: call.id || undefined,
        name: call.function.name || undefined,
        arguments: goJson(call.function.arguments),
      });
    });
  } else {
    output.push({
      id: `msg_${mix(a.seed, 0x6d7367) % 999_999}`,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: a.content, annotations: [], logprobs: [] }],
    });
  }
  const now = Math.floor(Date.now() / 1000);
  const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
  const instructions = request.instructions;
  const body = {
    id: responseId,
    object: 'response',
    created_at: now,
    completed_at: now,
    status: 'completed',
    incomplete_details: null,
    model: a.model,
    previous_response_id: null,
    instructions: typeof instructions === 'string' && instructions !== '' ? instructions : null,
    output,
    error: null,
    tools: Array.isArray(request.tools) ? request.tools.map(echoedTool) : [],
    tool_choice: 'auto',
    truncation: typeof request.truncation === 'string' ? request.truncation : 'disabled',
    parallel_tool_calls: true,
    text: { format: echoedFormat(request) },
    top_p: num(request.top_p, 1),
    presence_penalty: 0,
    frequency_penalty: 0,
    top_logprobs: 0,
    temperature: num(request.temperature, 1),
    reasoning: reasoningOf(request),
    usage: {
      input_tokens: a.inputTokens,
      output_tokens: a.outputTokens,
      total_tokens: a.inputTokens + a.outputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    },
    max_output_tokens:
      typeof request.max_output_tokens === 'number' ? request.max_output_tokens : null,
    max_tool_calls: null,
    store: false,
    background: request.background === true,
    service_tier: 'default',
    metadata: {},
    safety_identifier: null,
    prompt_cache_key: null,
  };
  return `${goJson(body)}\n`;
}

async function write(ex: Exchange, a: Answer, request: Json, tokenMs: number, pieces: number) {
  ex.quota?.charge(a.inputTokens + a.outputTokens);
  if (tokenMs > 0) await ex.life.sleep(tokenMs * Math.max(1, pieces));
  if (ex.life.aborted) return;
  return ex.out.send(200, responseJson(a, request), OPENAI_JSON_TYPE);
}

/** Answers a chat request rewritten from `/v1/responses` the way ResponsesWriter does. */
export function responsesWriter(request: Json): GenerationWriter {
  return {
    async answer(ctx: SimContext, ex: Exchange, spec): Promise<void> {
      const run = await evaluate(ctx, ex, spec);
      if (run === undefined) return;
      const c = spec.completion;
      const answer: Answer = {
        model: spec.model,
        seed: c.seed,
        thinking: c.thinking.join(''),
        content: c.content.join(''),
        toolCalls: c.toolCalls,
        inputTokens: run.promptEvalCount,
        outputTokens: c.evalCount,
      };
      return write(ex, answer, request, run.tokenMs, c.thinking.length + c.content.length);
    },
    loadOnly(ex, model) {
      const answer: Answer = {
        model,
        seed: hashString(model),
        thinking: '',
        content: '',
        toolCalls: undefined,
        inputTokens: 0,
        outputTokens: 0,
      };
      return write(ex, answer, request, 0, 0);
    },
  };
}
