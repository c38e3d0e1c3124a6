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
