import {
  expectKnownKeys,
  fail,
  isPlainObject,
  isWellFormed,
  optionalSignal,
  optionError,
  quoted,
} from '@x/internal';
import { refuseStreamFlag } from '@x/provider-core';
import { modelName, type NameReading } from './model-name';
import { expectParameters } from './model-options';
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

/**
 * Checks a pull or push request and builds its body; `reading` is how the endpoint reads the
 * name (`pull` for a pull, `plain` for a push).
 */
export function transferBody(request: PullRequest, reading: NameReading): Record<string, unknown> {
  if (!isPlainObject(request)) fail('request', 'an object with `model`', request);
  refuseStreamFlag(request, undefined, reading === 'pull' ? 'pull()' : 'push()');
  expectKnownKeys('request', request, PULL_KEYS);
  modelName('request.model', request.model, reading);
  optionalSignal('request.signal', request.signal);
  if (request.insecure !== undefined && typeof request.insecure !== 'boolean') {
    fail('request.insecure', 'a boolean', request.insecure);
  }
  const body: Record<string, unknown> = { model: request.model };
  if (request.insecure !== undefined) body.insecure = request.insecure;
  return body;
}

/**
 * Go's `fs.ValidPath`, which Ollama asks of every file name (400 `file path must be relative`):
 * slash-separated elements, none empty, `.` or `..` (so no leading or trailing `/`), or `.` alone.
 */
function validPath(file: string): boolean {
  return file === '.' || file.split('/').every((e) => e !== '' && e !== '.' && e !== '..');
}

/**
 * A file name of `files`, `adapters` or `draftFiles`: a relative path Ollama takes (above), with
 * no NUL (the server links the blob under this name: the system call fails) and no lone surrogate
 * (JSON would send U+FFFD in its place); `__proto__` is refused too, as a name no model file has
 * and one that becomes an object's prototype in any JavaScript that copies the body by assignment.
 */
function expectFileName(name: string, file: string): void {
  let wrong: string | undefined;
  if (file === '__proto__') wrong = 'is `__proto__`';
  else if (file.includes('\0')) wrong = 'holds a NUL character';
  else if (!isWellFormed(file)) wrong = 'holds a lone surrogate (not valid UTF-8)';
  else if (!validPath(file)) {
    wrong =
      'is not relative (Ollama answers 400 `file path must be relative`: no leading `/`, and no `.`, `..` or empty part)';
  }
  if (wrong === undefined) return;
  fail(name, `an object of relative file names, and this name ${wrong}`, file, true);
}

/** `files`, `adapters` or `draftFiles`: file names to the digests of uploaded blobs. */
function expectBlobs(name: string, value: unknown): void {
  if (!isPlainObject(value)) fail(name, 'an object of file names to blob digests', value);
  for (const [file, digest] of Object.entries(value)) {
    expectFileName(name, file);
    expectDigest(`${name}[${quoted(file)}]`, digest);
  }
}

/**
 * A blob digest as `files`, `adapters` and the blob calls take it (`sha256:` or `sha256-`): a
 * string of another shape is a `RangeError`, anything else a `TypeError`.
 */
export function expectDigest(name: string, digest: unknown): asserts digest is string {
  if (typeof digest === 'string' && DIGEST.test(digest)) return;
  const what =
    'a blob digest, `sha256:<64 hex digits>` or `sha256-<64 hex digits>` (`sha256` in lower case, as Ollama takes it)';
  // A digest is no secret, and the hex after its colon has the shape the house wording hides
  // (`"SHA256:[redacted]"`): shown as it is, the slip can be seen. Only a string that reads as a
  // digest: anything else may be a key pasted into the wrong argument.
  if (typeof digest !== 'string' || !DIGEST_LIKE.test(digest)) {
    fail(name, what, digest, typeof digest === 'string');
  }
  const [, prefix, separator, hex] = DIGEST_LIKE.exec(digest) as unknown as [
    string,
    string,
    string,
    string,
  ];
  const slips: string[] = [];
  if (prefix !== 'sha256') slips.push(`\`${prefix}\` is not in lower case`);
  if (separator === '') slips.push('no `:` or `-` after `sha256`');
  if (hex.length !== 64) slips.push(`${hex.length} hex digits`);
  const got = `${quoted(digest)} (${slips.join('; ')})`;
  throw optionError(['Expected `', name, `\` to be ${what}, got ${got}`], true);
}

/** A string meant as a digest, whatever its slips: `sha256` in any case, then hex. */
const DIGEST_LIKE = /^(sha256)([:-]?)([0-9a-f]{1,128})$/i;

/**
 * A checked digest as Ollama names the blob it stores (`sha256:` and lower-case hex): an upload is
 * compared with the digest Ollama computes as text, and `create()` opens `blobs/sha256-<hex as
 * sent>`, which upper-case hex does not name on a case-sensitive disk.
 */
export function canonicalDigest(digest: string): string {
  return `sha256:${digest.slice(7).toLowerCase()}`;
}

/**
 * The quantization types any Ollama since the create API of 0.5.5 took (`ggml.ParseFileType`,
 * upper-cased first): 0.7 narrowed them to the first seven, older servers took the rest too. Any
 * other fails the create (`unsupported quantization type`, a 500 from older servers).
 */
const QUANTIZE_TYPES: ReadonlySet<string> = new Set([
  'F32',
  'F16',
  'BF16',
  'Q8_0',
  'Q4_K_S',
  'Q4_K_M',
  'Q4_K',
  ...['Q4_0', 'Q4_1', 'Q4_1_F16', 'Q5_0', 'Q5_1', 'Q2_K', 'Q2_K_S', 'Q3_K_S', 'Q3_K_M', 'Q3_K_L'],
  ...['Q5_K_S', 'Q5_K_M', 'Q6_K', 'IQ1_S', 'IQ1_M', 'IQ2_XXS', 'IQ2_XS', 'IQ2_S', 'IQ2_M'],
  ...['IQ3_XXS', 'IQ3_XS', 'IQ3_S', 'IQ3_M', 'IQ4_NL', 'IQ4_XS'],
]);

/** `quantize` or `draftQuantize` (already known to be a string when given): empty is none. */
function optionalQuantize(name: string, value: string | undefined): void {
  if (value === undefined || value === '' || QUANTIZE_TYPES.has(value.toUpperCase())) return;
  fail(
    name,
    'a quantization type Ollama knows (current servers take "q4_K_M", "q4_K_S", "q8_0", "f16", "bf16", "f32")',
    value,
    true,
  );
}

/**
 * golang.org/x/mod/semver's `IsValid` after a `v` is put in front, as Ollama's Modelfile parser
 * checks `REQUIRES` (`requires must be a valid semver (e.g. 0.14.0)`): `1`, `1.2` and `1.2.3` with
 * an optional `-prerelease` and `+build` on the full form, no leading zeros.
 */
const SEMVER =
  /^v?(0|[1-9]\d*)(\.(0|[1-9]\d*)(\.(0|[1-9]\d*)(-(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?)?$/;

/**
 * `requires`, the least Ollama version the model needs. The server stores any text unchecked, but
 * the way Ollama itself sets it (a Modelfile's `REQUIRES`, parser/parser.go) refuses anything but
 * a version (`requires must be a valid semver`): refused here the same way, before a model is
 * created that claims a version no one can compare with. Empty is none.
 */
function optionalRequires(value: string | undefined): void {
  if (value === undefined || value === '' || SEMVER.test(value)) return;
  fail('request.requires', 'an Ollama version such as "0.14.0"', value, true);
}

/** A string or an array of strings, as Ollama's `license` is. */
function expectLicense(value: unknown): void {
  if (typeof value === 'string') return;
  if (!Array.isArray(value)) fail('request.license', 'a string or an array of strings', value);
  // By index, not `forEach`: a hole (sent as `null`) is refused like any other non-string.
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'string') fail(`request.license[${i}]`, 'a string', value[i]);
  }
}

/** Checks a create request and builds its body (Ollama's current create API). */
export function createBody(request: CreateRequest): Record<string, unknown> {
  if (!isPlainObject(request)) fail('request', 'an object with `model`', request);
  refuseStreamFlag(request, undefined, 'create()');
  expectKnownKeys('request', request, CREATE_KEYS);
  // The new model's name is read as written; `from` as chat reads a name (`:cloud` taken off).
  modelName('request.model', request.model, 'plain');
  optionalSignal('request.signal', request.signal);
  // Ollama reads an empty `from` as none, and `files: {}` as files to convert: without a `from`,
  // it always refuses either (server/create.go: "neither 'from' or 'files' was specified", and
  // for no files an unknown model type), so neither is sent.
  if (request.from === undefined || request.from === '') {
    const files: unknown = request.files;
    if (files === undefined) {
      // Left out: a `TypeError` as for any missing field; empty: a `RangeError`.
      const range = request.from === '';
      fail('request.from', 'a model name (or `files` of uploaded blobs)', request.from, range);
    }
    if (isPlainObject(files) && Object.keys(files).length === 0) {
      fail('request.files', 'at least one file (or a model in `from`)', files, true);
    }
  }
  const body: Record<string, unknown> = { model: request.model };
  for (const [key, wire] of CREATE_STRINGS) {
    const value = request[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') fail(`request.${key}`, 'a string', value);
    body[wire] = value;
  }
  // Ollama reads an empty `from` as none (and then asks for `files`).
  if (request.from !== undefined && request.from !== '') {
    modelName('request.from', request.from, 'ref');
  }
  optionalQuantize('request.quantize', request.quantize);
  optionalQuantize('request.draftQuantize', request.draftQuantize);
  optionalRequires(request.requires);
  for (const [key, wire] of CREATE_BLOBS) {
    const blobs = request[key];
    if (blobs === undefined) continue;
    expectBlobs(`request.${key}`, blobs);
    // Named as `pushBlob()` stored and `hasBlob()` asked for them; defined, not assigned, so that
    // no name can reach the object's prototype (`__proto__` is refused above anyway).
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
