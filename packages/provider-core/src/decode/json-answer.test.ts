import { describe, expect, it } from 'vitest';
import { JsonAnswerAccumulator } from './json-answer';

function accumulator(accept?: (parsed: Record<string, unknown>) => boolean) {
  return new JsonAnswerAccumulator({
    redact: (text) => text.replaceAll('sk-secret', '[redacted]'),
    ...(accept === undefined ? {} : { accept }),
    invalid: (excerpt) => new Error(`not an answer: ${excerpt}`),
    build: (parsed) => ({ value: parsed.value }),
  });
}

describe('JsonAnswerAccumulator', () => {
  it('builds the response from the whole JSON answer and is done', () => {
    const whole = accumulator();
    expect(whole.done).toBe(false);
    whole.addWhole('{"value":3}');
    expect([whole.done, whole.build()]).toEqual([true, { value: 3 }]);
  });

  it('throws the invalid error with a redacted excerpt when the answer is not JSON', () => {
    expect(() => accumulator().addWhole(`<html>sk-secret ${'x'.repeat(100)}`)).toThrow(
      `not an answer: <html>[redacted] ${'x'.repeat(63)}`,
    );
  });

  it('throws the invalid error when `accept` refuses the object', () => {
    const whole = accumulator((parsed) => Array.isArray(parsed.data));
    expect(() => whole.addWhole('{"data":{}}')).toThrow('not an answer: {"data":{}}');
    expect(whole.done).toBe(false);
  });
});
