import { gatherScrubs, tellScrubs } from '../secrets';
import type { StreamChunk, TokenLogprob, ToolCall } from '../types';
import { cloneAnswer } from './clone-answer';

// What the cache stores of an answer. A server that echoes the request's key into its answer (its
// content, thinking, a tool call's arguments) would otherwise have that key stored, and replayed
// to every provider sharing the cache, each with a key of its own. The scrub is paid here, on a
// cache write, not on every answer: the caller whose own server echoed the key gets its answer as
// it came, and a cache hit replays the scrubbed one.

/** A text of the answer that held a secret: where it is, and what replaces it. */
interface Edit {
  /** The keys from the stored record down to the text (the last one: its own key). */
  path: PropertyKey[];
  text: string;
  /** True when the text is an object's key, not a value. */
  isKey: boolean;
}

/** An object or array being walked, and how it was reached (for the path of an edit in it). */
interface Step {
  node: object;
  up: Step | undefined;
  key: PropertyKey | undefined;
}

/** A streamed chunk as the cache keeps it (short keys: a long answer has many). */
interface RecordedChunk {
  c: string;
  t?: string | undefined;
  tc?: ToolCall[] | undefined;
  lp?: TokenLogprob[] | undefined;
}

/** What the cache holds for one request: the answer, and the chunks when it was streamed. */
export interface CachedAnswer<Response> {
  response: Response;
  chunks?: RecordedChunk[] | undefined;
}

/** A chunk as recorded for the cache. */
export function recorded(chunk: StreamChunk<unknown>): RecordedChunk {
  const out: RecordedChunk = { c: chunk.content };
  if (chunk.thinking !== undefined) out.t = chunk.thinking;
  if (chunk.toolCalls !== undefined) out.tc = chunk.toolCalls;
  if (chunk.logprobs !== undefined) out.lp = chunk.logprobs;
  return out;
}

/** What scrubs a stored answer: the provider's redactor (`Redactor.redactKnown`). */
export interface Scrub {
  readonly redactKnown: (text: string) => string;
}

/**
 * `value`, what the cache is about to store, as it may store it: `value` itself without `scrub`,
 * or when no text of it (a string anywhere in it, or an object's key: a tool call's arguments are
 * the server's) holds a known secret, the common case, for a walk over it; else a copy whose
 * texts are scrubbed. That copy keeps no chunks and no `logprobs`: a stream splits an echoed key
 * over its chunks, and the tokens (and bytes) of log probabilities spell it piece by piece, where
 * no single one holds it whole; a hit replays the scrubbed answer as one chunk.
 */
export function storedAnswer<Response>(
  value: CachedAnswer<Response>,
  scrub: Scrub | undefined,
): CachedAnswer<Response> {
  if (scrub === undefined) return value;
  // What the scrub finds in all the answer's texts is one `secret-scrubbed` audit event.
  gatherScrubs(scrub.redactKnown);
  let edits: Edit[];
  try {
    edits = editsOf(value, scrub.redactKnown);
  } finally {
    tellScrubs(scrub.redactKnown);
  }
  if (edits.length === 0) return value;
  const copy = cloneAnswer({ response: value.response });
  const response: unknown = copy.response;
  if (isRecord(response) && 'logprobs' in response) response.logprobs = undefined;
  // Deepest first, and a value before its own key: a path is read through keys not yet renamed.
  edits.sort((a, b) => b.path.length - a.path.length || Number(a.isKey) - Number(b.isKey));
  for (const edit of edits) apply(copy, edit);
  return copy;
}

/** Every text of `root` that `redact` changes, found without recursion (any depth is walked). */
function editsOf(root: object, redact: (text: string) => string): Edit[] {
  const edits: Edit[] = [];
  const work: Step[] = [{ node: root, up: undefined, key: undefined }];
  for (let step = work.pop(); step !== undefined; step = work.pop()) {
    const at = step;
    const visit = (child: unknown, key: PropertyKey): void => {
      if (typeof child === 'string') {
        const text = redact(child);
        if (text !== child) edits.push({ path: pathOf(at, key), text, isKey: false });
      } else if (Array.isArray(child) || isRecord(child)) {
        work.push({ node: child, up: at, key });
      }
    };
    const node = at.node;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) visit(node[i], i);
      continue;
    }
    for (const key of Object.keys(node)) {
      const text = redact(key);
      if (text !== key) edits.push({ path: pathOf(at, key), text, isKey: true });
      visit((node as Record<string, unknown>)[key], key);
    }
  }
  return edits;
}

/** A plain object: what an answer parsed from JSON is made of (a typed array holds no text). */
function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function pathOf(step: Step, last: PropertyKey): PropertyKey[] {
  const path = [last];
  for (let s: Step | undefined = step; s?.key !== undefined; s = s.up) path.push(s.key);
  return path.reverse();
}

/** Applies `edit` to `copy`; an edit in what the copy left out (its chunks, `logprobs`) is moot. */
function apply(copy: object, edit: Edit): void {
  let node: unknown = copy;
  const { path } = edit;
  for (let i = 0; i < path.length - 1; i++) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Record<PropertyKey, unknown>)[path[i]!];
  }
  if (typeof node !== 'object' || node === null) return;
  const target = node as Record<PropertyKey, unknown>;
  const key = path[path.length - 1]!;
  if (!Object.hasOwn(target, key)) return;
  // Defined, not assigned: an own `__proto__` key (JSON.parse makes one) would be the setter.
  if (edit.isKey) {
    const held = target[key];
    delete target[key];
    define(target, edit.text, held);
  } else {
    define(target, key, edit.text);
  }
}

function define(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}
