import { EncodingLoadError } from './errors';
import { BpeCounter, type RankFile } from './internal/bpe';
import { builtin, channel } from './internal/channels';
import { lookupRegisteredEncoding } from './models';
import { expectEncoding, expectObject, expectString } from './options';
import type { EncodingName } from './types';

/** What is known when an encoding finishes loading. */
export interface EncodingLoadEvent {
  encoding: EncodingName;
  /** Milliseconds spent importing the rank file and building the rank map. */
  durationMs: number;
  /** How the rank file was loaded. */
  via: 'require' | 'import';
}

// Bounded memo of piece -> count per encoding: at most 2 × this many pieces stay in memory.
const PIECE_CACHE_SIZE = 50_000;

const counters = new Map<EncodingName, BpeCounter>();
const loadListeners = new Set<(event: EncodingLoadEvent) => void>();
const loadChannel = channel('x:tokens:encoding-load');

const O200K = /^(?:gpt-(?:4o|4\.1|4\.5|5|oss)|chatgpt-4o|codex-mini|o[134])(?:$|[-.:_])/;
const CL100K =
  /^(?:gpt-4|gpt-3\.5-turbo|gpt-35-turbo|text-embedding-3|text-embedding-ada-002)(?:$|[-.:_])/;

/**
 * The tiktoken encoding of a model, or `undefined` for models this package cannot count exactly.
 * Registered models (see `registerModel`) win; then OpenAI's naming: `o200k_base` for gpt-4o,
 * gpt-4.1, gpt-4.5, gpt-5, gpt-oss and the o-series; `cl100k_base` for gpt-4, gpt-4-turbo,
 * gpt-3.5-turbo and the text-embedding-3 / ada-002 models. An `openai/` prefix is ignored.
 *
 * @example
 * encodingForModel('gpt-4o-mini') // 'o200k_base'
 * encodingForModel('llama3.2')    // undefined
 */
export function encodingForModel(model: string): EncodingName | undefined {
  expectString('model', model);
  const registered = lookupRegisteredEncoding(model);
  if (registered !== undefined) return registered ?? undefined;
  const name = model
    .trim()
    .toLowerCase()
    .replace(/^openai\//, '');
  if (O200K.test(name)) return 'o200k_base';
  if (CL100K.test(name)) return 'cl100k_base';
  return undefined;
}

function install(
  encoding: EncodingName,
  file: RankFile,
  started: number,
  via: 'require' | 'import',
) {
  const counter = new BpeCounter(file, PIECE_CACHE_SIZE);
  counters.set(encoding, counter);
  const event: EncodingLoadEvent = { encoding, durationMs: performance.now() - started, via };
  for (const listener of loadListeners) listener(event);
  if (loadChannel?.hasSubscribers) loadChannel.publish(event);
  return counter;
}

function rankFile(module: unknown): RankFile {
  const value = module as { default?: RankFile } & Partial<RankFile>;
  return (value.bpe_ranks === undefined ? value.default : value) as RankFile;
}

type Require = (id: string) => unknown;
let syncRequire: Require | null | undefined;

function getRequire(): Require | null {
  if (syncRequire !== undefined) return syncRequire;
  const mod = builtin<{ createRequire(from: string): Require }>('node:module');
  syncRequire = mod ? mod.createRequire(import.meta.url) : null;
  return syncRequire;
}

/**
 * The counter of an encoding, loading js-tiktoken's rank file synchronously on first use.
 * @internal
 */
export function getCounter(encoding: EncodingName): BpeCounter {
  const existing = counters.get(encoding);
  if (existing !== undefined) return existing;
  const started = performance.now();
  const load = getRequire();
  if (load === null) {
    throw new EncodingLoadError(
      encoding,
      'this runtime has no synchronous module loader; `await loadEncoding()` first',
    );
  }
  let module: unknown;
  try {
    module = load(`js-tiktoken/ranks/${encoding}`);
  } catch (error) {
    throw new EncodingLoadError(encoding, 'js-tiktoken rank file not found', error);
  }
  return install(encoding, rankFile(module), started, 'require');
}

/** Options of `loadEncoding`. */
export interface LoadEncodingOptions {
  /**
   * Stops waiting: the promise rejects with `signal.reason`. The import itself cannot be cancelled;
   * if it completes later, the encoding is simply ready for the next count.
   */
  signal?: AbortSignal;
}

/**
 * Loads an encoding ahead of time with a dynamic `import()`. Counting loads the encoding on first
 * use anyway (synchronously, in Node); call this to move that cost (about 25 ms for cl100k_base,
 * 70 ms for o200k_base on an idle machine) out of the first request, or in runtimes without
 * `require`.
 *
 * @throws {EncodingLoadError} when js-tiktoken's rank file cannot be imported.
 * @throws the signal's reason when `signal` aborts first.
 * @example
 * await loadEncoding('o200k_base');
 */
export async function loadEncoding(
  encoding: EncodingName,
  options: LoadEncodingOptions = {},
): Promise<void> {
  expectEncoding(encoding);
  expectObject('options', options);
  const { signal } = options;
  signal?.throwIfAborted();
  if (counters.has(encoding)) return;
  const loading = importEncoding(encoding);
  if (signal === undefined) return loading;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    loading.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function importEncoding(encoding: EncodingName): Promise<void> {
  const started = performance.now();
  let module: unknown;
  try {
    module =
      encoding === 'o200k_base'
        ? await import('js-tiktoken/ranks/o200k_base')
        : await import('js-tiktoken/ranks/cl100k_base');
  } catch (error) {
    throw new EncodingLoadError(encoding, 'js-tiktoken rank file not found', error);
  }
  if (!counters.has(encoding)) install(encoding, rankFile(module), started, 'import');
}

/**
 * Subscribes to encoding loads (the first-call cost of an encoding). Also published on
 * `node:diagnostics_channel` as `x:tokens:encoding-load`.
 *
 * @returns a function that unsubscribes.
 * @example
 * const off = onEncodingLoad((e) => console.log(`${e.encoding} loaded in ${e.durationMs} ms`));
 */
export function onEncodingLoad(listener: (event: EncodingLoadEvent) => void): () => void {
  if (typeof listener !== 'function') {
    throw new TypeError(`Expected \`listener\` to be a function, got ${typeof listener}`);
  }
  loadListeners.add(listener);
  return () => {
    loadListeners.delete(listener);
  };
}

/**
 * Empties the memo of counted pieces of every loaded encoding (each keeps at most 100,000 pieces).
 * Counting stays correct either way; this only frees memory or measures cold-cache speed.
 *
 * @example
 * clearCountCache();
 */
export function clearCountCache(): void {
  for (const counter of counters.values()) counter.clearCache();
}

/**
 * Encodings loaded so far, in load order.
 *
 * @example
 * loadedEncodings() // [] until the first count, then ['o200k_base']
 */
export function loadedEncodings(): EncodingName[] {
  return [...counters.keys()];
}
