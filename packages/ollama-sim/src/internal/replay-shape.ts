import { isPlainObject } from '@x/internal';
import { formatOf, thinkOf } from './openai-request';
import { textFormatOf } from './openai-responses-request';

/** JSON with sorted keys, so bodies compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** What a request body asks for that changes the shape of the answer. */
export interface AnswerShape {
  readonly model: unknown;
  readonly stream: boolean;
  readonly tools: boolean;
  /** `''` for free text, `json` for JSON mode, else the schema as canonical JSON. */
  readonly format: string;
  /** True when the request asks for thinking (`think: true` or a level, `reasoning.effort`). */
  readonly think: boolean;
}

/**
 * The structured-output `format` a body asks for, in the native form the simulator answers from
 * (the `/v1` routes carry it in `response_format` or, on `/v1/responses`, in `text.format`).
 */
function formatKey(path: string, body: Record<string, unknown>): string {
  const format = path.startsWith('/v1/responses')
    ? textFormatOf(body.text)
    : path.startsWith('/v1/')
      ? formatOf(body.response_format)
      : body.format;
  // Ollama takes an empty or null `format` as none.
  if (format === undefined || format === null || format === '') return '';
  return format === 'json' ? 'json' : canonicalJson(format);
}

/** Whether a body asks for thinking, as the simulator reads `think` (or the `/v1` effort). */
function thinks(path: string, body: Record<string, unknown>): boolean {
  const think = path.startsWith('/v1/')
    ? thinkOf(isPlainObject(body.reasoning) ? body.reasoning.effort : body.reasoning_effort)
    : body.think;
  return think === true || typeof think === 'string';
}

export function shapeOf(path: string, body: Record<string, unknown>): AnswerShape {
  return {
    model: body.model,
    // Ollama streams when `stream` is absent (or null); the OpenAI-compatible `/v1` routes do not.
    stream: typeof body.stream === 'boolean' ? body.stream : !path.startsWith('/v1/'),
    // Ollama treats an empty `tools` list as none.
    tools: Array.isArray(body.tools) && body.tools.length > 0,
    format: formatKey(path, body),
    think: thinks(path, body),
  };
}

/**
 * A recorded answer that carries thinking (a `thinking` or `reasoning` text, a reasoning item),
 * whatever its request said: a thinking model thinks when `think` is left out.
 */
const THOUGHT = /"(?:thinking|reasoning|reasoning_content)":"[^"]|"type":"reasoning"/;

export function answerThinks(body: string): boolean {
  return THOUGHT.test(body);
}

/**
 * True when a recording made for the shape `recorded` fits a request of shape `wanted`; `thought`
 * says whether the recorded answer carries thinking.
 */
export function sameShape(wanted: AnswerShape, recorded: AnswerShape, thought: boolean): boolean {
  return (
    recorded.model === wanted.model &&
    recorded.stream === wanted.stream &&
    recorded.tools === wanted.tools &&
    recorded.format === wanted.format &&
    (recorded.think || thought) === wanted.think
  );
}
