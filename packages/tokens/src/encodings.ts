import { createRequire } from 'node:module';
import {
  expectLogger,
  expectString,
  optionalSignal,
  PackageLog,
  raceAbort,
  Topic,
} from '@x/internal';
import { EncodingLoadError } from './errors';
import { BpeCounter, type RankFile } from './internal/bpe';
import { clearFeatureMemo } from './internal/heuristic';
import { clearAuthors } from './internal/tool-results';
import { logEncodingLoad, type TokensLogger } from './log';
import { clearResolvedNames, lookupRegisteredEncoding, namedEncoding } from './models';
import { expectEncoding, expectOptions, KEYS } from './options';
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
// Why a synchronous load failed, per encoding: without js-tiktoken (an optional peer) every
// estimate of an OpenAI model would otherwise pay a failed `require` (a walk of node_modules).
const missing = new Map<EncodingName, unknown>();
const encodingLoad = new Topic<EncodingLoadEvent>('tokens', 'encoding-load');

/**
 * The tiktoken encoding of a model, or `undefined` for models this package cannot count exactly.
 * Registered models (see `registerModel`) win; then OpenAI's naming: `o200k_base` for gpt-4o,
 * gpt-4.1, gpt-4.5, gpt-5, gpt-oss and the o-series; `cl100k_base` for gpt-4, gpt-4-turbo,
 * gpt-3.5-turbo and the text-embedding-3 / ada-002 models. An `openai/`, `azure/` or
 * `openrouter/openai/` prefix is ignored, and a fine-tuned model (`ft:gpt-4o-mini:org::id`) counts as the one it was tuned from.
 *
 * @example
 * encodingForModel('gpt-4o-mini') // 'o200k_base'
 * encodingForModel('llama3.2')    // undefined
 */
export function encodingForModel(model: string): EncodingName | undefined {
  expectString('model', model, true);
  const registered = lookupRegisteredEncoding(model);
  if (registered !== undefined) return registered ?? undefined;
  // `openai/`, `azure/`, `openrouter/openai/` (a gateway's prefix) and `ft:` (a fine-tuned model, `ft:gpt-4o-mini:org::id`,
  // counted as the model it was tuned from) are ignored.
  return namedEncoding(model);
}

function install(
  encoding: EncodingName,
  module: unknown,
  started: number,
  via: 'require' | 'import',
): BpeCounter {
  const file = rankFile(encoding, module);
  let counter: BpeCounter;
  try {
    counter = new BpeCounter(file, PIECE_CACHE_SIZE);
  } catch (error) {
    // A pattern this engine cannot compile, a missing field: an incompatible js-tiktoken.
    throw new EncodingLoadError(
      encoding,
      `\`js-tiktoken/ranks/${encoding}\` cannot be read (an incompatible js-tiktoken version?); use js-tiktoken ^1.0.21`,
      error,
    );
  }
  counters.set(encoding, counter);
  if (encodingLoad.active) {
    encodingLoad.emit({ encoding, durationMs: performance.now() - started, via });
  }
  return counter;
}

function rankFile(encoding: EncodingName, module: unknown): RankFile {
  const value = module as
    | ({ default?: RankFile | undefined } & Partial<RankFile>)
    | null
    | undefined;
  const file = value?.bpe_ranks === undefined ? value?.default : value;
  if (typeof file?.bpe_ranks !== 'string' || typeof file.pat_str !== 'string') {
    throw new EncodingLoadError(
      encoding,
      `\`js-tiktoken/ranks/${encoding}\` is not a js-tiktoken rank file (no \`bpe_ranks\`/\`pat_str\` strings); reinstall js-tiktoken`,
    );
  }
  return file as RankFile;
}

/** The error of a rank file that cannot be found synchronously: the two usual causes, and fixes. */
function notFound(encoding: EncodingName, cause: unknown): EncodingLoadError {
  return new EncodingLoadError(
    encoding,
    `js-tiktoken's rank file \`js-tiktoken/ranks/${encoding}\` cannot be found from @x/tokens. ` +
      'Either js-tiktoken is not installed (an optional peer dependency, needed only for exact ' +
      'counts: `npm install js-tiktoken`; estimateTokens() works without it), or this is a bundled ' +
      `app whose bundle does not carry the rank files: call \`await loadEncoding('${encoding}')\` ` +
      'once before counting (your bundler then includes the rank file), or keep js-tiktoken ' +
      'external to the bundle and install it beside it',
    cause,
  );
}

type Require = (id: string) => unknown;
let syncRequire: Require | null | undefined;

function getRequire(): Require | null {
  if (syncRequire === undefined) {
    try {
      syncRequire = createRequire(import.meta.url);
    } catch {
      // `import.meta.url` is not a file URL (a module loaded over http, a bundler's placeholder).
      syncRequire = null;
    }
  }
  return syncRequire;
}

/**
 * The counter of an encoding, loading js-tiktoken's rank file synchronously on first use.
 * @throws {EncodingLoadError} when the rank file cannot be loaded (the message says why).
 * @internal
 */
export function getCounter(encoding: EncodingName): BpeCounter {
  return counters.get(encoding) ?? loadSync(encoding);
}

function loadSync(encoding: EncodingName): BpeCounter {
  if (missing.has(encoding)) throw notFound(encoding, missing.get(encoding));
  const started = performance.now();
  const load = getRequire();
  if (load === null) {
    throw new EncodingLoadError(
      encoding,
      `this runtime has no synchronous module loader: \`await loadEncoding('${encoding}')\` first`,
    );
  }
  let module: unknown;
  try {
    module = load(`js-tiktoken/ranks/${encoding}`);
  } catch (error) {
    missing.set(encoding, error);
    throw notFound(encoding, error);
  }
  return install(encoding, module, started, 'require');
}

/** Options of `loadEncoding`. */
export interface LoadEncodingOptions {
  /**
   * Stops waiting: the promise rejects with `signal.reason`. The import itself cannot be cancelled;
   * if it completes later, the encoding is simply ready for the next count.
   */
  signal?: AbortSignal | undefined;
  /**
   * pino, `console` or any {@link TokensLogger}: one entry when the encoding loaded (`info`) or
   * failed to (`warn`). Nothing when it was loaded already.
   * @default undefined (silent)
   */
  logger?: TokensLogger | undefined;
}

/**
 * Loads an encoding ahead of time with a dynamic `import()`. Counting loads the encoding on first
 * use anyway (synchronously, in Node); call this to move that cost (about 25 ms for cl100k_base,
 * 70 ms for o200k_base on an idle machine) out of the first request, in a bundled app (the
 * bundler follows this `import()` and carries the rank file), or in runtimes without `require`.
 *
 * @throws {EncodingLoadError} when js-tiktoken's rank file cannot be imported (js-tiktoken, an
 * optional peer dependency, is not installed).
 * @throws the signal's reason when `signal` aborts first.
 * @example
 * await loadEncoding('o200k_base');
 */
export async function loadEncoding(
  encoding: EncodingName,
  options: LoadEncodingOptions = {},
): Promise<void> {
  expectEncoding(encoding);
  expectOptions('options', undefined, options, KEYS.loadEncoding);
  const signal = optionalSignal('signal', options.signal);
  const log = new PackageLog('tokens', expectLogger('logger', options.logger));
  signal?.throwIfAborted();
  if (counters.has(encoding)) return;
  const loading = raceAbort(importEncoding(encoding), signal);
  return log.enabled ? logEncodingLoad(log, encoding, loading) : loading;
}

async function importEncoding(encoding: EncodingName): Promise<void> {
  const started = performance.now();
  let module: unknown;
  try {
    // Literal specifiers, so a bundler sees and carries the rank files.
    module =
      encoding === 'o200k_base'
        ? await import('js-tiktoken/ranks/o200k_base')
        : await import('js-tiktoken/ranks/cl100k_base');
  } catch (error) {
    throw new EncodingLoadError(
      encoding,
      'js-tiktoken is not installed: it is an optional peer dependency of @x/tokens, needed ' +
        'only for exact counts (`npm install js-tiktoken`); estimateTokens() works without it',
      error,
    );
  }
  if (!counters.has(encoding)) install(encoding, module, started, 'import');
}

/**
 * Subscribes to encoding loads (the first-call cost of an encoding). Also published on
 * `node:diagnostics_channel` as `x:tokens:encoding-load`. A listener that throws never fails the
 * count that loaded the encoding: the error becomes a process warning (`XListenerError`).
 *
 * @returns a function that unsubscribes.
 * @example
 * const off = onEncodingLoad((e) => console.log(`${e.encoding} loaded in ${e.durationMs} ms`));
 */
export function onEncodingLoad(listener: (event: EncodingLoadEvent) => void): () => void {
  return encodingLoad.on(listener);
}

/**
 * Empties the memos of counts: the counted pieces of every loaded encoding (at most 100,000 each,
 * 2 Mi characters), the message texts `countChatTokens` counted whole (at most 8,192 texts and
 * 2 Mi characters per encoding), the texts the heuristic estimator read (as many), the function
 * names of tool results (as many), and the resolved model names (at most 10,000 of at most 256 characters, twice). Counts and estimates
 * stay the same either way; this only frees memory or measures cold-cache speed.
 *
 * @example
 * clearCountCache();
 */
export function clearCountCache(): void {
  for (const counter of counters.values()) counter.clearCache();
  clearFeatureMemo();
  clearAuthors();
  clearResolvedNames();
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
