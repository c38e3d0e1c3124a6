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
  /**
   * What the request said about thinking: `on` for `think: true` or a level (`reasoning_effort`,
   * `reasoning.effort` on `/v1`), `off` for `think: false` (effort `none`), `unset` when left out,
   * `invalid` for a value the simulator refuses (so no recording answers it).
   */
  readonly think: ThinkAsked;
}

export type ThinkAsked = 'on' | 'off' | 'unset' | 'invalid';

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

/** What a body says about thinking, as the simulator reads `think` (or the `/v1` effort). */
function thinkAsked(path: string, body: Record<string, unknown>): ThinkAsked {
  const think = path.startsWith('/v1/')
    ? thinkOf(isPlainObject(body.reasoning) ? body.reasoning.effort : body.reasoning_effort)
    : body.think;
  // Ollama decodes a `null` think as none given.
  if (think === undefined || think === null) return 'unset';
  if (think === false) return 'off';
  return think === true || typeof think === 'string' ? 'on' : 'invalid';
}

export function shapeOf(path: string, body: Record<string, unknown>): AnswerShape {
  return {
    model: body.model,
    // Ollama streams when `stream` is absent (or null); the OpenAI-compatible `/v1` routes do not.
    stream: typeof body.stream === 'boolean' ? body.stream : !path.startsWith('/v1/'),
    // Ollama treats an empty `tools` list as none.
    tools: Array.isArray(body.tools) && body.tools.length > 0,
    format: formatKey(path, body),
    think: thinkAsked(path, body),
  };
}

/** A recorded answer that carries thinking (a `thinking` or `reasoning` text, a reasoning item). */
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
    sameThinking(wanted.think, recorded.think, thought)
  );
}

/**
 * Thinking is compared on what the requests asked, not on what the recording answered: a request
 * that leaves `think` out gets what the model does by default, which a recording made without it
 * shows whatever it answered. A request that sets `think` takes a recording that set it the same
 * way, or one that left it out and whose answer agrees (thinking for `on`, none for `off`): the
 * model's default then gave the answer the request asks for.
 */
function sameThinking(wanted: ThinkAsked, recorded: ThinkAsked, thought: boolean): boolean {
  if (wanted === recorded) return wanted !== 'invalid';
  if (recorded !== 'unset') return false;
  return (wanted === 'on' && thought) || (wanted === 'off' && !thought);
}
