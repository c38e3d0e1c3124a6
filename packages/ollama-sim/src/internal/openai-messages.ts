import { isPlainObject } from '@x/internal';
import type { Json } from './context';
import { base64Error } from './go-base64';
import { goTypeName } from './go-duration';
import { checkFields, type FieldTable } from './validate';

// How Ollama's OpenAI middleware turns the messages of a /v1 chat request into native ones
// (openai.FromChatRequest): string content as it is, a content array as one message per part
// (text, a base64 image, audio), tool calls with their JSON arguments decoded, and a tool result
// named after the function it answers.

const MESSAGE_FIELDS: FieldTable = {
  role: ['string', 'string'],
  reasoning: ['string', 'string'],
  tool_calls: ['array', '[]openai.ToolCall'],
  name: ['string', 'string'],
  tool_call_id: ['string', 'string'],
};

const IMAGE_PREFIXES = ['jpeg', 'jpg', 'png', 'webp'].map((t) => `data:image/${t};base64,`);

/** A base64 data URI as the image bytes (base64 kept), or Ollama's error text. */
export function imageOf(url: string): { image: string } | { error: string } {
  if (url.startsWith('http://') || url.startsWith('https://'))
    return {
      error: 'image URLs are not currently supported, please use base64 encoded data instead',
    };
  const prefix = url.startsWith('data:;base64,')
    ? 'data:;base64,'
    : IMAGE_PREFIXES.find((p) => url.startsWith(p));
  const data = prefix === undefined ? undefined : url.slice(prefix.length);
  if (data === undefined || base64Error(data) !== undefined)
    return { error: 'invalid image input' };
  return { image: data };
}

/** openai.ToolCall[] as native tool calls (arguments decoded), or Ollama's error. */
function nativeToolCalls(calls: unknown[]): Json[] | string {
  const out: Json[] = [];
  for (const call of calls) {
    const c = isPlainObject(call) ? call : {};
    const fn = isPlainObject(c.function) ? c.function : {};
    let args: unknown;
    try {
      args = JSON.parse(typeof fn.arguments === 'string' ? fn.arguments : '');
    } catch {
      return 'invalid tool call arguments';
    }
    // Arguments decode into an ordered map: only an object does, and null leaves it empty.
    if (args === null) args = {};
    if (!isPlainObject(args)) return 'invalid tool call arguments';
    out.push({ id: c.id, function: { name: fn.name, arguments: args } });
  }
  return out;
}

/** An `input_audio` part's audio (base64 kept), or Ollama's error text. */
function audioOf(part: Json): { audio: string } | { error: string } {
  const audio = part.input_audio;
  if (!isPlainObject(audio)) return { error: 'invalid input_audio format' };
  if (typeof audio.data !== 'string') return { error: 'invalid input_audio format: missing data' };
  const bad = base64Error(audio.data);
  if (bad !== undefined) return { error: `invalid input_audio base64 data: ${bad}` };
  return { audio: audio.data };
}

/** A content part as the native message it becomes (no text: an image or audio), or the error. */
function partMessage(role: string, part: unknown): Json | string {
  if (!isPlainObject(part)) return 'invalid message format';
  switch (part.type) {
    case 'text':
      return typeof part.text === 'string'
        ? { role, content: part.text }
        : 'invalid message format';
    case 'image_url': {
      const ref = part.image_url;
      const url = isPlainObject(ref) ? ref.url : ref;
      if (typeof url !== 'string') return 'invalid message format';
      const image = imageOf(url);
      return 'error' in image ? image.error : { role, content: '', images: [image.image] };
    }
    case 'input_audio': {
      // The audio goes to the model as an image does (api.Message.Images).
      const audio = audioOf(part);
      return 'error' in audio ? audio.error : { role, content: '', images: [audio.audio] };
    }
    default:
      return 'invalid message format';
  }
}

/**
 * openai.nameFromToolCallID: the function name of the last tool call with this id among all the
 * request's messages.
 */
function toolNameOf(messages: readonly unknown[], id: string): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!isPlainObject(m) || !Array.isArray(m.tool_calls)) continue;
    for (const call of m.tool_calls) {
      if (isPlainObject(call) && call.id === id && isPlainObject(call.function))
        return typeof call.function.name === 'string' ? call.function.name : '';
    }
  }
  return '';
}

/**
 * One /v1 message appended to `out` as the native messages it becomes (a part each for content
 * arrays), as openai.FromChatRequest converts it; the error text when it cannot. A tool message
 * names its function (`tool_name`): its `name`, else the tool call its `tool_call_id` answers.
 */
export function appendNative(m: Json, all: readonly unknown[], out: Json[]): string | undefined {
  const bad = checkFields(m, MESSAGE_FIELDS, 'Message', undefined);
  if (bad !== undefined) return bad.replace('Message.', 'Message.messages.');
  const role = typeof m.role === 'string' ? m.role : '';
  const callId = typeof m.tool_call_id === 'string' ? m.tool_call_id : '';
  let toolName = '';
  if (role.toLowerCase() === 'tool') {
    toolName = typeof m.name === 'string' ? m.name : '';
    if (toolName === '' && callId !== '') toolName = toolNameOf(all, callId);
  }
  const thinking = typeof m.reasoning === 'string' ? m.reasoning : '';
  // The fields Go leaves out when empty (omitempty).
  const fields = (calls: Json[] | undefined, name: string): Json => ({
    thinking: thinking === '' ? undefined : thinking,
    tool_calls: calls === undefined || calls.length === 0 ? undefined : calls,
    tool_name: name === '' ? undefined : name,
    tool_call_id: callId === '' ? undefined : callId,
  });
  const rawCalls = Array.isArray(m.tool_calls) ? m.tool_calls : undefined;
  if (typeof m.content === 'string') {
    const calls = nativeToolCalls(rawCalls ?? []);
    if (typeof calls === 'string') return calls;
    out.push({ role, content: m.content, ...fields(calls, toolName) });
    return undefined;
  }
  if (Array.isArray(m.content)) {
    for (const part of m.content) {
      const message = partMessage(role, part);
      if (typeof message === 'string') return message;
      out.push(message);
    }
    // The calls, the thinking and the tool's name and call id go to the last message so far (a
    // message of an earlier turn when this one had no parts), and only when there are calls.
    if (out.length > 0 && rawCalls !== undefined && rawCalls.length > 0) {
      const calls = nativeToolCalls(rawCalls);
      if (typeof calls === 'string') return calls;
      Object.assign(out[out.length - 1]!, fields(calls, toolName));
    }
    return undefined;
  }
  // Content is only optional when the message has tool calls (an empty list counts).
  if (rawCalls === undefined)
    return `invalid message content type: ${m.content == null ? '<nil>' : goTypeName(m.content)}`;
  const calls = nativeToolCalls(rawCalls);
  if (typeof calls === 'string') return calls;
  out.push({ role, content: '', ...fields(calls, '') });
  return undefined;
}
