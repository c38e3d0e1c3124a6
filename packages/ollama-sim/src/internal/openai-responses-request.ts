import { isPlainObject } from '@x/internal';
import type { Json } from './context';
import { scanGoJson } from './go-json-error';
import { imageOf } from './openai-messages';
import { thinkOf } from './openai-request';
import { checkFields, type FieldTable } from './validate';

// What Ollama's ResponsesMiddleware does to a `/v1/responses` request before ChatHandler sees it
// (openai.FromResponsesRequest, openai/responses.go): decode it into openai.ResponsesRequest
// (Go's texts for a wrongly typed field, the input items' own texts), and rewrite it as a native
// chat request. Every error here is a 400 the middleware answers itself.

const RESPONSES_FIELDS: FieldTable = {
  model: ['string', 'string'],
  background: ['bool', 'bool'],
  include: ['array', '[]string'],
  instructions: ['string', 'string'],
  max_output_tokens: ['int', 'int'],
  reasoning: ['object', 'openai.ResponsesReasoning'],
  temperature: ['number', 'float64'],
  text: ['object', 'openai.ResponsesText'],
  top_p: ['number', 'float64'],
  truncation: ['string', 'string'],
  tools: ['array', '[]openai.ResponsesTool'],
  stream: ['bool', 'bool'],
};

/** The rewritten request, or the 400 text the middleware answers. */
export type RewrittenResponses = { native: Json; request: Json } | { error: string };

/** Go's text for a value that is not a JSON object decoded into the item's type peek. */
const PEEK_TYPE = 'struct { Type string "json:\\"type\\""; Role string "json:\\"role\\"" }';

/**
 * A request the middleware refuses: `decoding` for the input's own UnmarshalJSON errors, which end
 * decoding at once (so they win over a wrongly typed field), else a conversion error, answered
 * only when the whole body decoded.
 */
class Refused {
  constructor(
    readonly message: string,
    readonly decoding = true,
  ) {}
}

/** The text and images of Responses content items (convertResponsesContent). */
function contentOf(items: unknown, at: string): { text: string; images: string[] } {
  if (items === undefined || items === null) return { text: '', images: [] };
  if (typeof items === 'string') return { text: items, images: [] };
  if (!Array.isArray(items))
    throw new Refused(
      `${at} must be a string or array: json: cannot unmarshal ${typeof items === 'number' ? 'number' : typeof items === 'boolean' ? 'bool' : 'object'} into Go value of type []json.RawMessage`,
    );
  let text = '';
  const images: string[] = [];
  let file = false;
  items.forEach((raw, i) => {
    const part = isPlainObject(raw) ? raw : {};
    const type = typeof part.type === 'string' ? part.type : '';
    if (type === 'input_text' || type === 'output_text')
      text += typeof part.text === 'string' ? part.text : '';
    else if (type === 'input_image') {
      const url = typeof part.image_url === 'string' ? part.image_url : '';
      if (url === '') return;
      const image = imageOf(url);
      if ('error' in image) throw new Refused(image.error, false);
      images.push(image.image);
    } else if (type === 'input_file') file = true;
    else throw new Refused(`${at}[${i}]: unknown content type: ${type}`);
  });
  // Every part decodes before any is converted: an unknown type anywhere wins over a file.
  if (file) throw new Refused('file inputs are not currently supported', false);
  return { text, images };
}

/**
 * A function call's `arguments` as the ordered map they decode into: json.Unmarshal's syntax check
 * first (its texts, not a decoder's: `unexpected end of JSON input`), then the ordered map's own
 * parser, which takes only an object (null leaves it empty).
 */
function argumentsOf(text: unknown): Json {
  if (typeof text !== 'string' || text === '') return {};
  const fail = (why: string) => {
    throw new Refused(`failed to parse function call arguments: ${why}`, false);
  };
  const scanned = scanGoJson(text);
  if ('error' in scanned)
    fail(scanned.error === 'unexpected EOF' ? 'unexpected end of JSON input' : scanned.error);
  else {
    const rest = text.slice(scanned.end).trimStart();
    if (rest !== '')
      fail(
        `invalid character ${JSON.stringify(rest[0]).replace(/^"|"$/g, "'")} after top-level value`,
      );
  }
  const value: unknown = JSON.parse(text);
  if (value === null) return {};
  if (!isPlainObject(value)) fail("Value looks like object, but can't find closing '}' symbol");
  return value as Json;
}

/** FromResponsesRequest's loop over the input items, as native messages. */
function messagesOf(items: unknown[], out: Json[]): void {
  let pendingThinking = '';
  items.forEach((raw, i) => {
    if (!isPlainObject(raw))
      throw new Refused(
        `input[${i}]: json: cannot unmarshal ${Array.isArray(raw) ? 'array' : typeof raw === 'string' ? 'string' : typeof raw === 'boolean' ? 'bool' : 'number'} into Go value of type ${PEEK_TYPE}`,
      );
    const role = typeof raw.role === 'string' ? raw.role : '';
    let type = typeof raw.type === 'string' ? raw.type : '';
    if (type === '' && role !== '') type = 'message';
    const last = out.at(-1);
    switch (type) {
      case 'reasoning':
        pendingThinking = typeof raw.encrypted_content === 'string' ? raw.encrypted_content : '';
        return;
      case 'message': {
        const { text, images } = contentOf(raw.content, `input[${i}]: content`);
        const msg: Json = { role, content: text, images: images.length > 0 ? images : undefined };
        if (role === 'assistant' && pendingThinking !== '') {
          msg.thinking = pendingThinking;
          pendingThinking = '';
        }
        // An assistant message replayed between a function_call and its output joins the call's
        // message, so the tool result follows the call it answers.
        const next = items[i + 1];
        const outputCallId =
          isPlainObject(next) && next.type === 'function_call_output' ? next.call_id : undefined;
        const calls = Array.isArray(last?.tool_calls) ? (last.tool_calls as Json[]) : [];
        if (
          role === 'assistant' &&
          typeof outputCallId === 'string' &&
          outputCallId !== '' &&
          last?.role === 'assistant' &&
          calls.some((c) => c.id === outputCallId)
        ) {
          const joined = String(last.content ?? '');
          last.content = joined !== '' && text !== '' ? `${joined}\n${text}` : joined + text;
          if (images.length > 0) last.images = [...((last.images as string[]) ?? []), ...images];
          if (msg.thinking !== undefined) last.thinking = msg.thinking;
          return;
        }
        out.push(msg);
        return;
      }
      case 'function_call': {
        const call = {
          id: typeof raw.call_id === 'string' && raw.call_id !== '' ? raw.call_id : undefined,
          function: { name: raw.name, arguments: argumentsOf(raw.arguments) },
        };
        const target: Json =
          last?.role === 'assistant' ? last : { role: 'assistant', content: '', tool_calls: [] };
        if (target !== last) out.push(target);
        target.tool_calls = [...((target.tool_calls as Json[] | undefined) ?? []), call];
        if (pendingThinking !== '') {
          target.thinking = pendingThinking;
          pendingThinking = '';
        }
        return;
      }
      case 'function_call_output': {
        const output = raw.output;
        const { text, images } = contentOf(output, `input[${i}]: output`);
        out.push({
          role: 'tool',
          content: text,
          images: images.length > 0 ? images : undefined,
          tool_call_id: typeof raw.call_id === 'string' ? raw.call_id : undefined,
        });
        return;
      }
      case 'web_search_call':
        return;
      case '':
        throw new Refused(`input[${i}]: input item missing required 'type' field`);
      default:
        throw new Refused(`input[${i}]: unknown input item type: ${JSON.stringify(type)}`);
    }
  });
  if (pendingThinking !== '')
    out.push({ role: 'assistant', content: '', thinking: pendingThinking });
}

/** One Responses tool as the api.Tools it becomes (a namespace: its members, names qualified). */
function toolsOf(tool: unknown): Json[] {
  const t = isPlainObject(tool) ? tool : {};
  const name = typeof t.name === 'string' ? t.name : '';
  if (t.type !== 'namespace') {
    return [
      {
        type: t.type,
        function: {
          name,
          description: typeof t.description === 'string' ? t.description : undefined,
          parameters: isPlainObject(t.parameters) ? t.parameters : undefined,
        },
      },
    ];
  }
  const members = Array.isArray(t.tools) ? t.tools.flatMap(toolsOf) : [];
  for (const m of members) {
    const fn = m.function as Json;
    const prefix = `${name}.`;
    if (name !== '' && !String(fn.name).startsWith(prefix)) fn.name = prefix + String(fn.name);
  }
  return members;
}

/** The `format` of a Responses request's `text`: the schema of a `json_schema` format, else none. */
export function textFormatOf(text: unknown): unknown {
  return isPlainObject(text) && isPlainObject(text.format) && text.format.type === 'json_schema'
    ? (text.format.schema ?? undefined)
    : undefined;
}

/** `POST /v1/responses` as the native chat request Ollama's middleware builds. */
export function fromResponsesRequest(body: Json): RewrittenResponses {
  const messages: Json[] = [];
  let refused: Refused | undefined;
  try {
    const input = body.input;
    if (input !== undefined && input !== null && typeof input !== 'string' && !Array.isArray(input))
      throw new Refused(
        `input must be a string or array: json: cannot unmarshal ${typeof input === 'number' ? 'number' : typeof input === 'boolean' ? 'bool' : 'object'} into Go value of type []json.RawMessage`,
      );
    if (typeof body.instructions === 'string' && body.instructions !== '')
      messages.push({ role: 'system', content: body.instructions });
    if (typeof input === 'string' && input !== '') messages.push({ role: 'user', content: input });
    if (Array.isArray(input)) messagesOf(input, messages);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    refused = e;
  }
  if (refused?.decoding) return { error: refused.message };
  const bad = checkFields(body, RESPONSES_FIELDS, 'ResponsesRequest', undefined);
  if (bad !== undefined) return { error: bad };
  if (refused !== undefined) return { error: refused.message };
  const options: Json = {
    temperature: typeof body.temperature === 'number' ? body.temperature : 1,
  };
  if (typeof body.top_p === 'number') options.top_p = body.top_p;
  if (typeof body.max_output_tokens === 'number') options.num_predict = body.max_output_tokens;
  const think = thinkOf(isPlainObject(body.reasoning) ? body.reasoning.effort : undefined);
  if (isPlainObject(think)) return { error: think.error };
  const tools = Array.isArray(body.tools) ? body.tools.flatMap(toolsOf) : [];
  const format = textFormatOf(body.text);
  return {
    native: {
      model: body.model,
      messages,
      options,
      tools: tools.length > 0 ? tools : undefined,
      format,
      think,
      stream: false,
    },
    request: body,
  };
}
