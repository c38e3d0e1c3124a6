import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WireMessage } from './decoder';
import { LineTooLongError } from './lines';
import { SseDecoder } from './sse';

function decodeAll(parts: Uint8Array[], max = 1 << 20): WireMessage[] {
  const decoder = new SseDecoder(max);
  const messages: WireMessage[] = [];
  for (const part of parts) decoder.push(part, (m) => messages.push(m));
  decoder.end((m) => messages.push(m));
  return messages;
}

const body = Buffer.from(
  [
    ': keep-alive comment',
    'data: {"choices":[{"delta":{"content":"héllo 🌍"}}]}',
    '',
    'id: 7',
    'retry: 1000',
    'data: {"a":1}',
    'data: {"b":2}',
    '',
    'event: error',
    'data: {"error":{"message":"overloaded"}}',
    '',
    'data: [DONE]',
    '',
    '',
  ].join('\r\n'),
  'utf8',
);

const expected: WireMessage[] = [
  { data: '{"choices":[{"delta":{"content":"héllo 🌍"}}]}', event: undefined },
  { data: '{"a":1}\n{"b":2}', event: undefined },
  { data: '{"error":{"message":"overloaded"}}', event: 'error' },
  { data: '[DONE]', event: undefined },
];

describe('SseDecoder', () => {
  it('joins data lines, names events and skips comments, ids and retries', () => {
    expect(decodeAll([body])).toEqual(expected);
  });

  it('yields the same events when the bytes are split anywhere, also inside UTF-8 characters', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: body.length }), { maxLength: 30 }), (cuts) => {
        const sorted = [...new Set(cuts)].sort((a, b) => a - b);
        const parts: Uint8Array[] = [];
        let start = 0;
        for (const cut of [...sorted, body.length]) {
          parts.push(new Uint8Array(body.subarray(start, cut)));
          start = cut;
        }
        expect(decodeAll(parts)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('dispatches a last event that had no blank line after it', () => {
    expect(decodeAll([Buffer.from('data: {"x":1}')])).toEqual([
      { data: '{"x":1}', event: undefined },
    ]);
  });

  it('throws LineTooLongError when one event exceeds the cap, in one line or many', () => {
    expect(() => decodeAll([Buffer.from(`data: ${'x'.repeat(2000)}\n\n`)], 1024)).toThrow(
      LineTooLongError,
    );
    const many = Array.from({ length: 20 }, () => Buffer.from(`data: ${'y'.repeat(100)}\n`));
    expect(() => decodeAll(many, 1024)).toThrow(LineTooLongError);
  });
});
