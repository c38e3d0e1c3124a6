import { fail } from '@x/internal';

// Messages and tools are data with open shapes (any extra field is billed or ignored), so unlike
// options objects they may carry unknown keys and be class instances.
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectRecord(
  name: string,
  value: unknown,
): asserts value is Record<string, unknown> {
  if (!isRecord(value)) fail(name, 'an object', value);
}

/**
 * Writes the `text` of each part of a content array (`[{ type: 'text', text }]`) into `out` from
 * `n` and returns the new length; image and audio parts are billed apart and skipped.
 */
export function textParts(parts: readonly unknown[], out: string[], n: number): number {
  for (const part of parts) {
    if (isRecord(part) && typeof part.text === 'string') out[n++] = part.text;
  }
  return n;
}
