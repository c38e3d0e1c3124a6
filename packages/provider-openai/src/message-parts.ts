import { isUint8Array } from 'node:util/types';
import {
  expectKnownKeys,
  expectOneOf,
  fail,
  isPlainObject,
  looksBase64,
  optionalBoolean,
} from '@x/internal';

// The checks of a message's images, audio and files (the content parts of a user message), before
// anything is sent: each error names the field (`request.messages[0].audio[1].format`). A wrong
// type is a `TypeError`; a string or bytes of the wrong shape (empty, not base64, a URL where
// data goes) a `RangeError`, as a value of the right type that is wrong always is.

const IMAGE = 'a base64 string, a data: or https: URL, or a Uint8Array';
const DETAILS = ['auto', 'low', 'high'] as const;

/** Base64 with something in it (`looksBase64`: its length and both ends are checked). */
function isBase64(text: string): boolean {
  return text.length > 0 && looksBase64(text);
}

/** The payload of a `data:` URL marked `;base64` (as `imageDataType` reads it), else undefined. */
function base64Payload(url: string): string | undefined {
  const comma = url.indexOf(',');
  return comma !== -1 && /^data:[^;,]*;base64$/.test(url.slice(0, comma))
    ? url.slice(comma + 1)
    : undefined;
}

/**
 * An image: bytes with something in them, an http(s): URL, a `data:` URL (one marked `;base64`
 * holding base64), or base64.
 */
function expectImageData(at: string, image: string | Uint8Array): void {
  if (image.length === 0) fail(at, `${IMAGE}, not empty`, image, true);
  if (typeof image !== 'string' || /^https?:\/\//i.test(image)) return;
  if (image.startsWith('data:')) {
    const payload = base64Payload(image);
    if (payload !== undefined && !isBase64(payload)) {
      fail(at, 'a data: URL holding base64 (`data:image/png;base64,...`)', image, true);
    }
    return;
  }
  if (!isBase64(image)) fail(at, IMAGE, image, true);
}

/**
 * A URL's scheme at the start (`https:`, `file:`). Bounded: base64 is made of the same
 * characters, and an unbounded run would scan a part of megabytes for the colon.
 */
const SCHEME = /^[a-z][a-z\d+.-]{0,31}:/i;

/** A string or bytes with something in them. */
function isData(value: unknown): value is string | Uint8Array {
  return isDataType(value) && value.length > 0;
}

/** A string or bytes: what a part's data may be, empty or not. */
function isDataType(value: unknown): value is string | Uint8Array {
  return typeof value === 'string' || isUint8Array(value);
}

function expectImage(at: string, item: unknown): void {
  if (typeof item === 'string' || isUint8Array(item)) {
    expectImageData(at, item);
    return;
  }
  if (!isPlainObject(item)) fail(at, `${IMAGE}, or \`{ image, detail? }\``, item);
  expectKnownKeys(at, item, ['image', 'detail', 'cacheBreakpoint']);
  optionalBoolean(`${at}.cacheBreakpoint`, item.cacheBreakpoint);
  if (typeof item.image !== 'string' && !isUint8Array(item.image)) {
    fail(`${at}.image`, IMAGE, item.image);
  }
  expectImageData(`${at}.image`, item.image);
  if (item.detail !== undefined) expectOneOf(`${at}.detail`, item.detail, DETAILS);
}

function expectAudio(at: string, item: unknown): void {
  if (!isPlainObject(item)) fail(at, '`{ data, format }` (base64 or bytes, "wav" or "mp3")', item);
  expectKnownKeys(at, item, ['data', 'format', 'cacheBreakpoint']);
  optionalBoolean(`${at}.cacheBreakpoint`, item.cacheBreakpoint);
  if (!isData(item.data)) {
    const what = 'a non-empty base64 string or Uint8Array';
    fail(`${at}.data`, what, item.data, isDataType(item.data));
  }
  // The API takes audio as data only: a URL would be read as base64 and refused by the server.
  if (typeof item.data === 'string' && SCHEME.test(item.data)) {
    fail(`${at}.data`, 'base64 audio, not a URL (give the bytes or their base64)', item.data, true);
  }
  if (typeof item.data === 'string' && !isBase64(item.data)) {
    fail(`${at}.data`, 'base64 audio (or its bytes as a Uint8Array)', item.data, true);
  }
  expectOneOf(`${at}.format`, item.format, ['wav', 'mp3']);
}

function expectFile(at: string, item: unknown): void {
  const shapes = '`{ fileId }` or `{ filename, data }`';
  if (!isPlainObject(item)) fail(at, shapes, item);
  optionalBoolean(`${at}.cacheBreakpoint`, item.cacheBreakpoint);
  if (item.fileId !== undefined) {
    expectKnownKeys(at, item, ['fileId', 'cacheBreakpoint']);
    if (typeof item.fileId !== 'string' || item.fileId.length === 0) {
      const what = 'a non-empty string (the id `/files` gave the upload)';
      fail(`${at}.fileId`, what, item.fileId, item.fileId === '');
    }
    return;
  }
  expectKnownKeys(at, item, ['filename', 'data', 'cacheBreakpoint']);
  if (typeof item.filename !== 'string' || item.filename.length === 0) {
    const what = `a non-empty string (a file is ${shapes})`;
    fail(`${at}.filename`, what, item.filename, item.filename === '');
  }
  if (!isData(item.data)) {
    const what = 'non-empty base64, a data: URL or a Uint8Array';
    fail(`${at}.data`, what, item.data, isDataType(item.data));
  }
  if (typeof item.data === 'string' && item.data.startsWith('data:')) {
    const payload = base64Payload(item.data);
    if (payload === undefined || !isBase64(payload)) {
      const what = 'a base64 data: URL (`data:application/pdf;base64,...`)';
      fail(`${at}.data`, what, item.data, true);
    }
  } else if (typeof item.data === 'string' && SCHEME.test(item.data)) {
    fail(`${at}.data`, 'the file as base64 or bytes, not a URL', item.data, true);
  } else if (typeof item.data === 'string' && !isBase64(item.data)) {
    fail(`${at}.data`, 'the file as base64, a base64 data: URL or a Uint8Array', item.data, true);
  }
}

/** The fields a user message's content parts come from, and the check of one item of each. */
const CHECKS = { images: expectImage, audio: expectAudio, files: expectFile } as const;
const FIELDS = ['images', 'audio', 'files'] as const;

/**
 * A message's `images`, `audio` and `files`: arrays of well-formed items, on a user message only
 * (the API takes `image_url`, `input_audio` and `file` parts nowhere else: a system, developer or
 * tool message holds text parts, an assistant message text and refusal parts: a `RangeError`, a
 * value refused beside another). An empty list sends nothing and is accepted anywhere.
 */
export function validateMessageParts(at: string, message: Record<string, unknown>): void {
  optionalBoolean(`${at}.cacheBreakpoint`, message.cacheBreakpoint);
  // It marks the end of the message's text part: a message without text has none.
  if (message.cacheBreakpoint === true && message.content === '') {
    const what = 'left out of a message without text (mark a part of it instead)';
    fail(`${at}.cacheBreakpoint`, what, true, true);
  }
  for (const field of FIELDS) {
    const list = message[field];
    if (list === undefined) continue;
    // An assistant turn's `audio` may be an earlier spoken answer's `{ id }` (assistant-fields.ts).
    if (field === 'audio' && message.role === 'assistant' && !Array.isArray(list)) continue;
    if (!Array.isArray(list)) fail(`${at}.${field}`, `an array of ${field}`, list);
    const check = CHECKS[field];
    for (let j = 0; j < list.length; j++) check(`${at}.${field}[${j}]`, list[j]);
    if (message.role !== 'user' && list.length > 0) {
      const role = String(message.role);
      fail(
        `${at}.${field}`,
        `left out of ${role === 'assistant' ? 'an' : 'a'} ${role} message (only user messages carry ${field})`,
        list,
        true,
      );
    }
  }
}
