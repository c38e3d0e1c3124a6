import { expectKnownKeys, fail, isPlainObject, optionalSignal } from '@x/internal';
import { expectParameters } from './model-options';
import { modelName } from './server-api';
import type { ChatMessage, CreateRequest, PullRequest } from './types';
import { validateMessage } from './validate';
import { wireMessages } from './wire/body';

const PULL_KEYS = ['model', 'insecure', 'signal'] as const;
const CREATE_KEYS = [
  'model',
  'from',
  'files',
  'adapters',
  'template',
  'license',
  'system',
  'parameters',
  'messages',
  'quantize',
  'renderer',
  'parser',
  'requires',
  'draftFiles',
  'draftQuantize',
  'signal',
] as const;

/** The string fields of a create request, by the name Ollama's `CreateRequest` reads. */
const CREATE_STRINGS = [
  ['from', 'from'],
  ['template', 'template'],
  ['system', 'system'],
  ['quantize', 'quantize'],
  ['renderer', 'renderer'],
  ['parser', 'parser'],
  ['requires', 'requires'],
  ['draftQuantize', 'draft_quantize'],
] as const;

/** The blob fields of a create request (file names to digests), by Ollama's names. */
const CREATE_BLOBS = [
  ['files', 'files'],
  ['adapters', 'adapters'],
  ['draftFiles', 'draft_files'],
] as const;

/** What Ollama's `BlobsPath` accepts; anything else fails the create (`invalid digest format`). */
const DIGEST = /^sha256[:-][0-9a-fA-F]{64}$/;

/** Checks a pull or push request and builds its body. */
export function transferBody(request: PullRequest): Record<string, unknown> {
  if (!isPlainObject(request)) fail('request', 'an object with `model`', request);
  expectKnownKeys('request', request, PULL_KEYS);
  modelName('request.model', request.model);
  optionalSignal('request.signal', request.signal);
  if (request.insecure !== undefined && typeof request.insecure !== 'boolean') {
    fail('request.insecure', 'a boolean', request.insecure);
  }
  const body: Record<string, unknown> = { model: request.model };
  if (request.insecure !== undefined) body.insecure = request.insecure;
  return body;
}

/** `files`, `adapters` or `draftFiles`: file names to the digests of uploaded blobs. */
function expectBlobs(name: string, value: unknown): void {
  if (!isPlainObject(value)) fail(name, 'an object of file names to blob digests', value);
  for (const [file, digest] of Object.entries(value)) {
    expectDigest(`${name}[${JSON.stringify(file)}]`, digest);
  }
}

/**
 * A blob digest as `files`, `adapters` and the blob calls take it (`sha256:` or `sha256-`): a
 * string of another shape is a `RangeError`, anything else a `TypeError`.
 */
export function expectDigest(name: string, digest: unknown): asserts digest is string {
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    fail(name, 'a blob digest (`sha256:<64 hex digits>`)', digest, typeof digest === 'string');
  }
}

/**
 * A checked digest as Ollama names the blob it stores (`sha256:` and lower-case hex): an upload is
 * compared with the digest Ollama computes as text, and `create()` opens `blobs/sha256-<hex as
 * sent>`, which upper-case hex does not name on a case-sensitive disk.
 */
export function canonicalDigest(digest: string): string {
  return `sha256:${digest.slice(7).toLowerCase()}`;
}

/** A string or an array of strings, as Ollama's `license` is. */
function expectLicense(value: unknown): void {
  if (typeof value === 'string') return;
  if (!Array.isArray(value)) fail('request.license', 'a string or an array of strings', value);
  value.forEach((text, i) => {
    if (typeof text !== 'string') fail(`request.license[${i}]`, 'a string', text);
  });
}

/** Checks a create request and builds its body (Ollama's current create API). */
export function createBody(request: CreateRequest): Record<string, unknown> {
  if (!isPlainObject(request)) fail('request', 'an object with `model`', request);
  expectKnownKeys('request', request, CREATE_KEYS);
  modelName('request.model', request.model);
  optionalSignal('request.signal', request.signal);
  if (request.from === undefined && request.files === undefined) {
    fail('request.from', 'a model name (or `files` of uploaded blobs)', request.from);
  }
  const body: Record<string, unknown> = { model: request.model };
  for (const [key, wire] of CREATE_STRINGS) {
    const value = request[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') fail(`request.${key}`, 'a string', value);
    body[wire] = value;
  }
  for (const [key, wire] of CREATE_BLOBS) {
    const blobs = request[key];
    if (blobs === undefined) continue;
    expectBlobs(`request.${key}`, blobs);
    // Named as `pushBlob()` stored and `hasBlob()` asked for them; defined, not assigned, so that
    // a file named `__proto__` stays a file.
    const named: Record<string, string> = {};
    for (const [file, digest] of Object.entries(blobs)) {
      Object.defineProperty(named, file, {
        value: canonicalDigest(digest),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    body[wire] = named;
  }
  // Ollama refuses it with a 400 (`--draft-quantize requires a DRAFT model`): said here, unsent.
  if (
    request.draftQuantize !== undefined &&
    request.draftQuantize !== '' &&
    Object.keys(request.draftFiles ?? {}).length === 0
  ) {
    fail(
      'request.draftQuantize',
      'left out without `draftFiles` (it quantizes the draft model they hold)',
      request.draftQuantize,
      true,
    );
  }
  if (request.parameters !== undefined) {
    expectParameters('request.parameters', request.parameters);
    body.parameters = request.parameters;
  }
  if (request.license !== undefined) {
    expectLicense(request.license);
    body.license = request.license;
  }
  const messages: unknown = request.messages;
  if (messages !== undefined) {
    if (!Array.isArray(messages)) fail('request.messages', 'an array of messages', messages);
    for (let i = 0; i < messages.length; i++) validateMessage(messages[i], i);
    // Encoded as chat encodes them: images as base64, tool calls as `tool_calls`.
    body.messages = wireMessages(messages as ChatMessage[]);
  }
  return body;
}
