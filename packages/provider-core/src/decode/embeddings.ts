/**
 * What is wrong with an embeddings answer to `inputs` texts, or `undefined` when it is one vector
 * per input, each a non-empty list of finite numbers, all of one length. A server that answers
 * fewer vectors, `null`s or strings would otherwise pass as a success (and be cached): the caller
 * would pair texts with the wrong vectors, or none.
 *
 * @example
 * embeddingsMismatch([], 2); // '2 inputs, 0 embeddings'
 */
export function embeddingsMismatch(
  vectors: readonly unknown[],
  inputs: number,
): string | undefined {
  if (vectors.length !== inputs) {
    return `${count(inputs, 'input')}, ${count(vectors.length, 'embedding')}`;
  }
  let length = -1;
  for (let i = 0; i < vectors.length; i++) {
    const vector = vectors[i];
    if (!Array.isArray(vector)) return `embedding ${i} is not a list of numbers`;
    if (vector.length === 0) return `embedding ${i} is empty`;
    for (let j = 0; j < vector.length; j++) {
      const value: unknown = vector[j];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return `embedding ${i} holds ${describe(value)} at ${j}, not a finite number`;
      }
    }
    if (length === -1) length = vector.length;
    else if (vector.length !== length) {
      return `embedding ${i} has ${count(vector.length, 'number')}, embedding 0 has ${length}`;
    }
  }
  return undefined;
}

/** A short name for a value that should have been a number (never the value of a long string). */
function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
