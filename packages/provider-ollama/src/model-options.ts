import { fail, isPlainObject, optionError, unknownKeyError } from '@x/internal';
import { optionalNumberIn } from '@x/provider-core';

// Ollama's `options` (a request's) and `parameters` (a created model's): what its server reads of
// them. It decodes them with api.Options.FromMap, which answers 500 to a value of the wrong type
// and only logs a key it does not know (`invalid option provided`) before going on without it:
// such a key has no effect and no error, so it is refused here, before anything is sent.

type GoType = 'int' | 'float' | 'bool' | 'strings';

/** api.Options and the api.Runner it embeds (api/types.go, Ollama 0.33): each key and its Go type. */
const OPTION_TYPES: ReadonlyMap<string, GoType> = new Map<string, GoType>([
  ['num_keep', 'int'],
  ['seed', 'int'],
  ['num_predict', 'int'],
  ['top_k', 'int'],
  ['top_p', 'float'],
  ['min_p', 'float'],
  ['typical_p', 'float'],
  ['repeat_last_n', 'int'],
  ['temperature', 'float'],
  ['repeat_penalty', 'float'],
  ['presence_penalty', 'float'],
  ['frequency_penalty', 'float'],
  ['stop', 'strings'],
  ['num_ctx', 'int'],
  ['num_batch', 'int'],
  ['num_gpu', 'int'],
  ['main_gpu', 'int'],
  ['use_mmap', 'bool'],
  ['num_thread', 'int'],
  // Since 0.30: earlier servers ignore it, as they ignore any key they do not know.
  ['draft_num_predict', 'int'],
]);

const OPTION_KEYS: readonly string[] = [...OPTION_TYPES.keys()];

/** The largest finite Go float32 (math.MaxFloat32): a larger float option becomes an infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The options Ollama had and removed, each with the first release without it (from the history of
 * api/types.go). A server since then ignores it; earlier ones applied it.
 */
const REMOVED_OPTIONS: Readonly<Record<string, string>> = {
  embedding_only: '0.1.28',
  num_gqa: '0.1.35',
  rope_frequency_base: '0.1.35',
  rope_frequency_scale: '0.1.35',
  numa: '0.3.4',
  tfs_z: '0.5.2',
  penalize_newline: '0.5.5',
  mirostat: '0.7.0',
  mirostat_tau: '0.7.0',
  mirostat_eta: '0.7.0',
  low_vram: '0.7.0',
  f16_kv: '0.7.0',
  logits_all: '0.7.0',
  vocab_only: '0.7.0',
  use_mlock: '0.7.0',
};

/**
 * The `TypeError` for a key Ollama does not read: one it removed says since which release the
 * server ignores it, any other names the closest known key.
 */
function unreadOption(at: string, key: string): TypeError | RangeError {
  if (!Object.hasOwn(REMOVED_OPTIONS, key)) return unknownKeyError(at, key, OPTION_KEYS);
  return optionError([
    'Option `',
    `${at}.${key}`,
    `\` was removed from Ollama in ${REMOVED_OPTIONS[key]}: servers since then ignore it (no error, no effect), so leave it out`,
  ]);
}

/**
 * `options` (at `at`: `request.options`, or `request.parameters` of `create()`): a plain object of
 * the keys Ollama reads, each of the type it reads (a number, `use_mmap` a boolean, `stop` an
 * array of strings: Ollama answers 500 otherwise; `null`, which it skips, is taken for any), whose
 * `num_ctx` is a window, as `numCtx` is. It runs for every request that has options: the names
 * are built only for an error.
 */
export function optionalOptions(
  at: string,
  value: unknown,
): asserts value is Record<string, unknown> | undefined {
  if (value === undefined) return;
  if (!isPlainObject(value)) fail(at, 'a plain object of Ollama options', value);
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const type = OPTION_TYPES.get(key);
    if (type === undefined) throw unreadOption(at, key);
    const option = value[key];
    if (option === null || option === undefined) continue;
    if (type === 'bool') {
      if (typeof option !== 'boolean') fail(`${at}.${key}`, 'a boolean', option);
    } else if (type === 'strings') {
      expectStrings(`${at}.${key}`, option);
    } else if (key === 'num_ctx') {
      // A negative or zero window cannot hold any prompt.
      if (!(Number.isSafeInteger(option) && (option as number) >= 1)) {
        optionalNumberIn(`${at}.${key}`, option, 1, Number.MAX_SAFE_INTEGER, true);
      }
    } else {
      // FromMap converts an int option with Go's int64(), undefined past an int64 (a fraction is
      // dropped, as before), and a float one to a float32, an infinity past its largest.
      const limit = type === 'int' ? Number.MAX_SAFE_INTEGER : FLOAT32_MAX;
      if (!(typeof option === 'number' && Math.abs(option) <= limit)) {
        optionalNumberIn(`${at}.${key}`, option, -limit, limit);
      }
    }
  }
}

/**
 * `stop`: Ollama answers 500 `option "stop" must be of type array` / `... an array of strings`.
 * An empty string is taken, and found at once in any text: the answer would be empty.
 */
function expectStrings(name: string, stop: unknown): void {
  if (stop === undefined) return;
  if (!Array.isArray(stop)) fail(name, 'an array of strings', stop);
  for (let i = 0; i < stop.length; i++) {
    if (typeof stop[i] !== 'string') fail(`${name}[${i}]`, 'a string', stop[i]);
    if (stop[i] === '') {
      const what = 'a non-empty string (an empty stop sequence matches at once: no answer)';
      fail(`${name}[${i}]`, what, stop[i], true);
    }
  }
}

/**
 * A created model's `parameters`, checked as a request's `options` are, and its integer options
 * whole numbers: the model keeps them as given, and every later request for it fails with HTTP 500
 * (`option "num_ctx" must be of type integer`) on one that is not.
 */
export function expectParameters(at: string, value: unknown): void {
  if (value === undefined) fail(at, 'a plain object of Ollama options', value);
  optionalOptions(at, value);
  for (const key of OPTION_KEYS) {
    if (OPTION_TYPES.get(key) !== 'int' || value[key] === null) continue;
    optionalNumberIn(
      `${at}.${key}`,
      value[key],
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      true,
    );
  }
}
