import { fail } from '@x/internal';

/**
 * An optional stop sequence: a string or an array of non-empty strings. Read by index: a hole in
 * a sparse array (which `every` skips, and JSON sends as null) is refused as `undefined` at its
 * index. An empty one is refused: a server finds it in any text (Ollama's runner checks
 * `strings.Contains`), so the answer would stop before its first token.
 */
export function optionalStop(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'string') {
    if (value === '') fail(name, NON_EMPTY_STOP, value, true);
    return;
  }
  if (!Array.isArray(value)) fail(name, 'a string or an array of strings', value);
  for (let i = 0; i < value.length; i++) {
    const stop: unknown = value[i];
    if (typeof stop !== 'string') fail(`${name}[${i}]`, 'a string', stop);
    if (stop === '') fail(`${name}[${i}]`, NON_EMPTY_STOP, stop, true);
  }
}

const NON_EMPTY_STOP = 'a non-empty string (an empty stop sequence matches at once: no answer)';
