import { isUint8Array } from 'node:util/types';
import type { OpenAIAudio, OpenAIFile, OpenAIImageInput } from '../content-part-types';
import type { OpenAIChatMessage } from '../types';

// A user message's images, audio and files as the content parts of OpenAI's
// ChatCompletionContentPart: `image_url` (`{ url, detail? }`), `input_audio` (`{ data, format }`)
// and `file` (`{ file_id }` or `{ filename, file_data }`), after its text.

/** The MIME type of an image from its first bytes (PNG, JPEG, GIF, WebP); PNG when unknown. */
function mimeOf(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return 'image/gif';
  if (bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[8] === 0x57 && bytes[9] === 0x45) {
    return 'image/webp';
  }
  return 'image/png';
}

/** An image as OpenAI's `image_url`: URLs and data URLs as they are; base64 and bytes as a data URL. */
export function imageUrl(image: string | Uint8Array): string {
  if (typeof image !== 'string') {
    return `data:${mimeOf(image)};base64,${Buffer.from(image).toString('base64')}`;
  }
  if (/^(data:|https?:\/\/)/i.test(image)) return image;
  return `data:${mimeOf(Buffer.from(image.slice(0, 16), 'base64'))};base64,${image}`;
}

/** The image of an item of `images`: the item, or the `image` of one given with its `detail`. */
export function imageOf(item: OpenAIImageInput): string | Uint8Array {
  return typeof item === 'string' || isUint8Array(item) ? item : item.image;
}

/**
 * The type the data URL {@link imageUrl} sends for `image` names (`image/png`; `''` for
 * `data:;base64,`), found without encoding the bytes; `undefined` for an image sent as a URL (an
 * https: URL, a data URL that is not base64 or not written in lower case).
 */
export function imageDataType(image: string | Uint8Array): string | undefined {
  if (typeof image !== 'string') return mimeOf(image);
  if (/^(data:|https?:\/\/)/i.test(image)) {
    return /^data:([^;,]*);base64,/.exec(image)?.[1];
  }
  return mimeOf(Buffer.from(image.slice(0, 16), 'base64'));
}

/** The type of a file's bytes: a PDF (`%PDF-`, all Chat Completions reads), or unknown bytes. */
function fileMime(bytes: Uint8Array): string {
  const pdf = bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46;
  return pdf ? 'application/pdf' : 'application/octet-stream';
}

/**
 * The type {@link fileData} sends for a file's data: a data URL's own, or read from the first
 * bytes of base64 or bytes (`application/pdf`, else `application/octet-stream`).
 */
export function fileDataType(data: string | Uint8Array): string {
  if (typeof data !== 'string') return fileMime(data);
  if (data.startsWith('data:')) return /^data:([^;,]*)/.exec(data)![1]!;
  return fileMime(Buffer.from(data.slice(0, 8), 'base64'));
}

/** A file's `file_data`: a data URL, as OpenAI's file inputs guide writes it (`data:application/pdf;base64,...`). */
function fileData(data: string | Uint8Array): string {
  if (typeof data === 'string' && data.startsWith('data:')) return data;
  const base64 = typeof data === 'string' ? data : Buffer.from(data).toString('base64');
  return `data:${fileDataType(data)};base64,${base64}`;
}

/** A part's `prompt_cache_breakpoint`, the only mode the API has. */
const BREAKPOINT = Object.freeze({ mode: 'explicit' });

/** `part`, marked as a prompt-cache breakpoint when `marked`. */
function marking(part: Record<string, unknown>, marked: boolean | undefined) {
  if (marked === true) part.prompt_cache_breakpoint = BREAKPOINT;
  return part;
}

function imagePart(item: OpenAIImageInput): Record<string, unknown> {
  const url = imageUrl(imageOf(item));
  if (typeof item === 'string' || isUint8Array(item)) {
    return { type: 'image_url', image_url: { url } };
  }
  const { detail } = item;
  const image_url = detail === undefined ? { url } : { url, detail };
  return marking({ type: 'image_url', image_url }, item.cacheBreakpoint);
}

function audioPart(audio: OpenAIAudio): Record<string, unknown> {
  const data =
    typeof audio.data === 'string' ? audio.data : Buffer.from(audio.data).toString('base64');
  const part = { type: 'input_audio', input_audio: { data, format: audio.format } };
  return marking(part, audio.cacheBreakpoint);
}

function filePart(file: OpenAIFile): Record<string, unknown> {
  const part =
    file.fileId !== undefined
      ? { type: 'file', file: { file_id: file.fileId } }
      : { type: 'file', file: { filename: file.filename, file_data: fileData(file.data) } };
  return marking(part, file.cacheBreakpoint);
}

const NO_RECORDINGS: readonly OpenAIAudio[] = [];

/**
 * A message's recordings (`input_audio` parts): its `audio` list, not the `{ id }` by which an
 * assistant turn refers to an earlier spoken answer.
 */
export function recordingsOf(m: OpenAIChatMessage): readonly OpenAIAudio[] {
  const { audio } = m;
  return Array.isArray(audio) ? (audio as readonly OpenAIAudio[]) : NO_RECORDINGS;
}

/**
 * True when the message has an image, audio or a file, or its text marks a prompt-cache
 * breakpoint: its content is then a list of parts.
 */
export function hasParts(m: OpenAIChatMessage): boolean {
  return (
    m.cacheBreakpoint === true ||
    (m.images !== undefined && m.images.length > 0) ||
    recordingsOf(m).length > 0 ||
    (m.files !== undefined && m.files.length > 0)
  );
}

/** The content parts of a message {@link hasParts}: its text (when any), images, audio, files. */
export function contentParts(m: OpenAIChatMessage): Record<string, unknown>[] {
  const parts: Record<string, unknown>[] =
    m.content.length > 0 ? [marking({ type: 'text', text: m.content }, m.cacheBreakpoint)] : [];
  for (const image of m.images ?? []) parts.push(imagePart(image));
  for (const audio of recordingsOf(m)) parts.push(audioPart(audio));
  for (const file of m.files ?? []) parts.push(filePart(file));
  return parts;
}
