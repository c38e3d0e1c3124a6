import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineTooLongError } from './lines';
import { NdjsonDecoder } from './ndjson';

function decodeAll(parts: Uint8Array[], max = 1 << 20): string[] {
  const decoder = new NdjsonDecoder(max);
  const lines: string[] = [];
  for (const part of parts) decoder.push(part, (m) => lines.push(m.data));
  decoder.end((m) => lines.push(m.data));
  return lines;
}

function splitAt(bytes: Buffer, cuts: number[]): Uint8Array[] {
  const sorted = [...new Set(cuts)].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...sorted, bytes.length]) {
    parts.push(new Uint8Array(bytes.subarray(start, cut)));
    start = cut;
  }
  return parts;
}

describe('NdjsonDecoder', () => {
  const body = Buffer.from(
    [
      '{"model":"llama3.2","message":{"role":"assistant","content":"The"},"done":false}',
      '{"model":"llama3.2","message":{"role":"assistant","content":" sky"},"done":false}',
      '{"message":{"content":"héllo wörld — 你好 🌍"}}',
      '{"model":"llama3.2","message":{"role":"assistant","content":""},"done":true,"eval_count":3}',
      '',
    ].join('\n'),
    'utf8',
  );
  const expected = body
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0);

  it('yields the same lines when the bytes are split anywhere, also inside UTF-8 characters', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: body.length }), { maxLength: 40 }), (cuts) => {
        expect(decodeAll(splitAt(body, cuts))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('yields every line when the body arrives one byte at a time', () => {
    const cuts = Array.from({ length: body.length }, (_, i) => i);
    expect(decodeAll(splitAt(body, cuts))).toEqual(expected);
  });

  it('flushes a last line without a newline and skips blank and CRLF endings', () => {
    expect(decodeAll([Buffer.from('{"a":1}\r\n\n  \n{"b":2}')])).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('throws LineTooLongError when a line exceeds the cap, split or not', () => {
    expect(() => decodeAll([Buffer.from(`${'x'.repeat(2000)}\n`)], 1024)).toThrow(LineTooLongError);
    const parts = Array.from({ length: 10 }, () => Buffer.from('y'.repeat(200)));
    expect(() => decodeAll(parts, 1024)).toThrow(LineTooLongError);
  });

  it('drops a byte order mark opening the stream, its bytes split or not', () => {
    const bytes = Buffer.from('\uFEFF{"a":1}\n{"b":2}\n');
    for (let cut = 0; cut <= 4; cut++) {
      expect(decodeAll(splitAt(bytes, [cut]))).toEqual(['{"a":1}', '{"b":2}']);
    }
    expect(decodeAll([Buffer.from('\uFEFF{"a":1}')])).toEqual(['{"a":1}']);
  });

  it('keeps a lone CR inside a line: only LF ends an NDJSON line', () => {
    expect(decodeAll([Buffer.from('{"a":"x\ry"}\r\n')])).toEqual(['{"a":"x\ry"}']);
  });
});
