import { isPlainObject } from '@x/internal';
import { base64Error } from './go-base64';

// encoding/json's errors for the parts of a request whose Go types decode themselves (api/types.go):
// each api.Message (Message.UnmarshalJSON decodes an alias of it), tool call arguments and tool
// properties (ordered maps over github.com/buger/jsonparser), a property's `type`
// (PropertyType.UnmarshalJSON), and the plain structs around them (api.Tool, api.ToolFunction,
// api.ToolFunctionParameters). The rules, from encoding/json's decode.go: a type mismatch is
// recorded (the first one kept) and decoding goes on; an error from an UnmarshalJSON ends decoding
// at once. A mismatch leaving a nested decoder gets the outer decoder's context: the innermost
// struct there, and the outer path of JSON keys joined with the inner one (Go 1.22 and later).

/** A json.UnmarshalTypeError; its text is made once it has left every decoder. */
interface Mismatch {
  readonly value: string;
  /** The innermost struct whose field it is ('' for a value decoded on its own). */
  readonly struct: string;
  /** The JSON keys from the decoder's root to the field, joined with dots. */
  readonly field: string;
  readonly type: string;
}

/** A decoding error: a type mismatch, or another error's text (passed on unchanged). */
type DecodeError = Mismatch | string;

/** jsonparser's MalformedObjectError: the ordered maps' answer to anything but an object. */
const NOT_AN_OBJECT = "Value looks like object, but can't find closing '}' symbol";

/** The JSON kind Go names in a type mismatch. */
export function jsonKind(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

export function errorText(e: DecodeError): string {
  if (typeof e === 'string') return e;
  if (e.struct === '' && e.field === '')
    return `json: cannot unmarshal ${e.value} into Go value of type ${e.type}`;
  return `json: cannot unmarshal ${e.value} into Go struct field ${e.struct}.${e.field} of type ${e.type}`;
}

/** decode.go addErrorContext: an error leaving a nested decoder at `stack` inside `struct`. */
function within(e: DecodeError, struct: string, stack: readonly string[]): DecodeError {
  if (typeof e === 'string') return e;
  const field = e.field === '' ? stack : [...stack, e.field];
  return { ...e, struct, field: field.join('.') };
}

function mismatch(
  value: unknown,
  struct: string,
  stack: readonly string[],
  type: string,
): Mismatch {
  return { value: jsonKind(value), struct, field: stack.join('.'), type };
}

/** One decoder's recorded mismatch (or other saved error, a bad image's base64): the first one. */
class Decoding {
  saved: DecodeError | undefined;
  save(e: DecodeError): void {
    this.saved ??= e;
  }
  string(v: unknown, struct: string, stack: readonly string[]): void {
    if (v !== null && typeof v !== 'string') this.save(mismatch(v, struct, stack, 'string'));
  }
  strings(v: unknown, struct: string, stack: readonly string[]): void {
    if (v === null) return;
    if (!Array.isArray(v)) this.save(mismatch(v, struct, stack, '[]string'));
    else for (const s of v) this.string(s, struct, stack);
  }
  int(v: unknown, struct: string, stack: readonly string[]): void {
    if (v === null) return;
    if (typeof v !== 'number') this.save(mismatch(v, struct, stack, 'int'));
    else if (!Number.isInteger(v))
      this.save({ value: `number ${String(v)}`, struct, field: stack.join('.'), type: 'int' });
  }
  /** A list of api.ImageData ([]byte: padded standard base64, the base64 error saved as it is). */
  images(v: unknown, struct: string, stack: readonly string[]): void {
    if (v === null) return;
    if (!Array.isArray(v)) {
      this.save(mismatch(v, struct, stack, '[]api.ImageData'));
      return;
    }
    for (const image of v) {
      if (image === null) continue;
      if (typeof image !== 'string') this.save(mismatch(image, struct, stack, 'api.ImageData'));
      else {
        const error = base64Error(image);
        if (error !== undefined) this.save(error);
      }
    }
  }
}

/** The error of a list of images decoded as the field `field` of `struct`, or undefined. */
export function imagesError(
  images: readonly unknown[],
  struct: string,
  field: string,
): string | undefined {
  const d = new Decoding();
  d.images(images, struct, [field]);
  return d.saved === undefined ? undefined : errorText(d.saved);
}

/** `tool_calls` of a message ([]api.ToolCall); an error when arguments are not an object. */
function toolCalls(d: Decoding, v: unknown): DecodeError | undefined {
  const stack = ['tool_calls'];
  if (!Array.isArray(v)) {
    d.save(mismatch(v, 'Alias', stack, '[]api.ToolCall'));
    return undefined;
  }
  for (const call of v) {
    if (call === null) continue;
    if (!isPlainObject(call)) {
      d.save(mismatch(call, 'Alias', stack, 'api.ToolCall'));
      continue;
    }
    for (const key of Object.keys(call)) {
      const value = call[key];
      if (value === null) continue;
      if (key === 'id') d.string(value, 'ToolCall', [...stack, 'id']);
      if (key !== 'function') continue;
      const at = [...stack, 'function'];
      if (!isPlainObject(value)) {
        d.save(mismatch(value, 'ToolCall', at, 'api.ToolCallFunction'));
        continue;
      }
      for (const k of Object.keys(value)) {
        const f = value[k];
        if (k === 'index') d.int(f, 'ToolCallFunction', [...at, k]);
        else if (k === 'name') d.string(f, 'ToolCallFunction', [...at, k]);
        // ToolCallFunctionArguments: an ordered map, which only an object (or null) decodes into.
        else if (k === 'arguments' && f !== null && !isPlainObject(f)) return NOT_AN_OBJECT;
      }
    }
  }
  return undefined;
}

const MESSAGE_STRINGS = new Set(['role', 'content', 'thinking', 'tool_name', 'tool_call_id']);

/**
 * The error of the first malformed api.Message in `messages`, a field of `struct`. Each message
 * is decoded on its own (Message.UnmarshalJSON), so its error ends decoding: an error of its
 * arguments at once, else its first mismatch; a message that is not an object fails to decode
 * into the alias type.
 */
export function messagesError(messages: readonly unknown[], struct: string): string | undefined {
  for (const m of messages) {
    if (m === null) continue;
    if (!isPlainObject(m))
      return errorText(within(mismatch(m, '', [], 'api.Alias'), struct, ['messages']));
    const d = new Decoding();
    for (const key of Object.keys(m)) {
      const v = m[key];
      if (v === null || v === undefined) continue;
      if (MESSAGE_STRINGS.has(key)) d.string(v, 'Alias', [key]);
      else if (key === 'images') d.images(v, 'Alias', [key]);
      else if (key === 'tool_calls') {
        const error = toolCalls(d, v);
        if (error !== undefined) return errorText(within(error, struct, ['messages']));
      }
    }
    if (d.saved !== undefined) return errorText(within(d.saved, struct, ['messages']));
  }
  return undefined;
}

/**
 * A tool property (api.ToolProperty, decoded on its own by the properties map) at `stack` of the
 * property's decoder: an error ends it at once; else its first mismatch is its error.
 */
function propertyFields(
  d: Decoding,
  p: Record<string, unknown>,
  stack: readonly string[],
): DecodeError | undefined {
  for (const key of Object.keys(p)) {
    const v = p[key];
    if (v === null) continue;
    const at = [...stack, key];
    switch (key) {
      case 'anyOf':
        if (!Array.isArray(v)) {
          d.save(mismatch(v, 'ToolProperty', at, '[]api.ToolProperty'));
          break;
        }
        for (const item of v) {
          if (item === null) continue;
          if (!isPlainObject(item)) d.save(mismatch(item, 'ToolProperty', at, 'api.ToolProperty'));
          else {
            const error = propertyFields(d, item, at);
            if (error !== undefined) return error;
          }
        }
        break;
      case 'type': {
        // PropertyType.UnmarshalJSON: a string, else what decoding a []string says.
        if (typeof v === 'string') break;
        if (!Array.isArray(v)) return within(mismatch(v, '', [], '[]string'), 'ToolProperty', at);
        const bad = v.find((s) => s !== null && typeof s !== 'string');
        if (bad !== undefined) return within(mismatch(bad, '', [], 'string'), 'ToolProperty', at);
        break;
      }
      case 'description':
        d.string(v, 'ToolProperty', at);
        break;
      case 'enum':
        if (!Array.isArray(v)) d.save(mismatch(v, 'ToolProperty', at, '[]interface {}'));
        break;
      case 'required':
        d.strings(v, 'ToolProperty', at);
        break;
      case 'properties': {
        const error = propertiesError(v);
        if (error !== undefined) return within(error, 'ToolProperty', at);
      }
    }
  }
  return undefined;
}

/** A `properties` map (api.ToolPropertiesMap): each property is decoded on its own, in order. */
function propertiesError(v: unknown): DecodeError | undefined {
  if (!isPlainObject(v)) return NOT_AN_OBJECT;
  for (const key of Object.keys(v)) {
    const p = v[key];
    if (p === null) continue;
    if (!isPlainObject(p)) return mismatch(p, '', [], 'api.ToolProperty');
    const d = new Decoding();
    const error = propertyFields(d, p, []) ?? d.saved;
    if (error !== undefined) return error;
  }
  return undefined;
}

/** `parameters` (api.ToolFunctionParameters) of a tool: an error of its properties, if any. */
function parameters(d: Decoding, v: Record<string, unknown>): DecodeError | undefined {
  const stack = ['tools', 'function', 'parameters'];
  for (const key of Object.keys(v)) {
    const value = v[key];
    if (value === null) continue;
    const at = [...stack, key];
    if (key === 'type') d.string(value, 'ToolFunctionParameters', at);
    else if (key === 'required') d.strings(value, 'ToolFunctionParameters', at);
    else if (key === 'properties') {
      const error = propertiesError(value);
      if (error !== undefined) return within(error, 'ToolFunctionParameters', at);
    }
  }
  return undefined;
}

/** What decoding `tools` ([]api.Tool, a field of `struct`) ends with, or records. */
export interface ToolsDecoded {
  /** An error that ends decoding (one of a tool's properties). */
  readonly fatal: string | undefined;
  /** The first type mismatch, recorded while decoding went on. */
  readonly saved: string | undefined;
}

export function toolsErrors(tools: readonly unknown[], struct: string): ToolsDecoded {
  const d = new Decoding();
  const done = (fatal?: DecodeError): ToolsDecoded => ({
    fatal: fatal === undefined ? undefined : errorText(fatal),
    saved: d.saved === undefined ? undefined : errorText(d.saved),
  });
  for (const tool of tools) {
    if (tool === null) continue;
    if (!isPlainObject(tool)) {
      d.save(mismatch(tool, struct, ['tools'], 'api.Tool'));
      continue;
    }
    for (const key of Object.keys(tool)) {
      const v = tool[key];
      if (v === null) continue;
      if (key === 'type') d.string(v, 'Tool', ['tools', 'type']);
      if (key !== 'function') continue;
      if (!isPlainObject(v)) {
        d.save(mismatch(v, 'Tool', ['tools', 'function'], 'api.ToolFunction'));
        continue;
      }
      for (const k of Object.keys(v)) {
        const f = v[k];
        if (f === null) continue;
        const at = ['tools', 'function', k];
        if (k === 'name' || k === 'description') d.string(f, 'ToolFunction', at);
        else if (k === 'parameters') {
          if (!isPlainObject(f))
            d.save(mismatch(f, 'ToolFunction', at, 'api.ToolFunctionParameters'));
          else {
            const error = parameters(d, f);
            if (error !== undefined) return done(error);
          }
        }
      }
    }
  }
  return done();
}
