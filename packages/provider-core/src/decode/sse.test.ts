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

  it('charges each data line its cost in memory, so empty data lines reach the cap too', () => {
    // 200,000 empty `data:` lines (1.2 MB) in one event, under a 1 MiB cap: each line was charged
    // 1 byte (200 KB in all), while its rope node held ~32 bytes of heap.
    const empty = [Buffer.from('data:\n'.repeat(200_000))];
    expect(() => decodeAll(empty, 1 << 20)).toThrow(LineTooLongError);
    // One line just under the cap passes, as does an event of lines whose text and newlines
    // together with 16 bytes per further line stay under it.
    expect(decodeAll([Buffer.from(`data: ${'x'.repeat(1010)}\n\n`)], 1024)).toHaveLength(1);
    expect(decodeAll([Buffer.from(`${'data: x\n'.repeat(50)}\n`)], 1024)).toHaveLength(1);
    // Several lines still join into one event's data, in order.
    const lines = Array.from({ length: 1000 }, (_, i) => `data: ${i}\n`).join('');
    const [event] = decodeAll([Buffer.from(`${lines}\n`)]);
    expect(event!.data.split('\n')).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
  });

  it('yields the first event when a byte order mark opens the stream, its bytes split or not', () => {
    const events = Buffer.from('\uFEFFdata: {"first":1}\n\ndata: {"second":2}\n\n');
    const both = [
      { data: '{"first":1}', event: undefined },
      { data: '{"second":2}', event: undefined },
    ];
    for (let cut = 0; cut <= 4; cut++) {
      expect(decodeAll([events.subarray(0, cut), events.subarray(cut)])).toEqual(both);
    }
    expect(decodeAll([...events].map((byte) => Buffer.from([byte])))).toEqual(both);
    // Only the stream's first: one later in a line is part of it (here, an unknown field).
    expect(decodeAll([Buffer.from('data: 1\n\n\uFEFFdata: 2\n\n')])).toEqual([
      { data: '1', event: undefined },
    ]);
  });

  it('yields the same events whether lines end in LF, CRLF, a lone CR or a mix, split anywhere', () => {
    const lines = [
      ': keep-alive comment',
      'data: {"choices":[{"delta":{"content":"héllo 🌍"}}]}',
      '',
      'data: {"a":1}',
      'data: {"b":2}',
      '',
      'event: error',
      'data: {"error":{"message":"overloaded"}}',
      '',
      'data: [DONE]',
      '',
    ];
    const endings = fc.array(fc.constantFrom('\n', '\r\n', '\r'), {
      minLength: lines.length,
      maxLength: lines.length,
    });
    fc.assert(
      fc.property(endings, fc.array(fc.nat(), { maxLength: 20 }), (ends, cuts) => {
        // A lone CR, then a blank line ended by LF, is one CRLF: that blank line ends in CR too.
        const text = Buffer.from(
          lines
            .map((line, i) =>
              line === '' && ends[i - 1] === '\r' && ends[i]!.startsWith('\n')
                ? '\r'
                : line + ends[i],
            )
            .join(''),
        );
        const sorted = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const parts: Uint8Array[] = [];
        let start = 0;
        for (const cut of [...sorted, text.length]) {
          parts.push(new Uint8Array(text.subarray(start, cut)));
          start = cut;
        }
        expect(decodeAll(parts)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("dispatches an event as soon as a lone CR ends its blank line, and takes an LF in the next read as that CRLF's", () => {
    const decoder = new SseDecoder(1 << 20);
    const messages: WireMessage[] = [];
    decoder.push(Buffer.from('data: {"a":1}\r\r'), (m) => messages.push(m));
    expect(messages).toEqual([{ data: '{"a":1}', event: undefined }]);
    // Split CRLFs: `data: 2` then a blank line. Read as two line ends each, the blank line
    // before `data: 3` would dispatch `2` alone, and `3` apart from it.
    for (const part of ['data: 2\r', '\ndata: 3\r', '\n\r', '\n']) {
      decoder.push(Buffer.from(part), (m) => messages.push(m));
    }
    decoder.end((m) => messages.push(m));
    expect(messages).toEqual([
      { data: '{"a":1}', event: undefined },
      { data: '2\n3', event: undefined },
    ]);
  });
});
