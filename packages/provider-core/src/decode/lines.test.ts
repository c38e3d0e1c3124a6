import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LineEndings, LineSplitter, LineTooLongError } from './lines';

/** Every line `push`/`end` hand on, for `parts` fed in order. */
function split(parts: Buffer[], max: number, endings: LineEndings = 'lf'): string[] {
  const splitter = new LineSplitter(max, endings);
  const lines: string[] = [];
  for (const part of parts) splitter.push(part, (line) => lines.push(line));
  splitter.end((line) => lines.push(line));
  return lines;
}

const line = fc.array(fc.constantFrom('a', 'é', '你', '🌍', ' ', '\r', '{', '"'), {
  maxLength: 30,
});

describe('LineSplitter', () => {
  it('hands on the lines of the text, CRLF endings cut, whether the complete lines of a read fit the cap together or not', () => {
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 0, max: 200 }),
        (chars, cuts, slack) => {
          const lines = chars.map((c) => c.join('').replace(/\r/g, 'r'));
          const bytes = Buffer.from(`${lines.map((l, i) => (i % 2 ? `${l}\r` : l)).join('\n')}\n`);
          // The cap is the longest line's own bytes: the CR of a CRLF is not the line's.
          const longest = Math.max(...lines.map((l) => Buffer.byteLength(l)));
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const parts: Buffer[] = [];
          let start = 0;
          for (const point of [...points, bytes.length]) {
            parts.push(bytes.subarray(start, point));
            start = point;
          }
          // A cap between the longest line and the whole text: both ways of cutting a read.
          expect(split(parts, longest + slack)).toEqual(lines);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("hands on the lines of the text with 'sse' endings, each line ended by LF, CRLF or a lone CR, whether the complete lines of a read fit the cap together or not", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n', '\r')), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 0, max: 200 }),
        (ended, cuts, slack) => {
          const lines = ended.map(([chars]) => chars.join('').replace(/\r/g, 'r'));
          // After a lone CR, an empty line ended by LF would read as one CRLF: it ends in CR too.
          let text = '';
          for (const [i, [, end]] of ended.entries()) {
            text += lines[i] === '' && text.endsWith('\r') ? '\r' : `${lines[i]}${end}`;
          }
          const bytes = Buffer.from(text);
          const longest = Math.max(...lines.map((l) => Buffer.byteLength(l)));
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const parts: Buffer[] = [];
          let start = 0;
          for (const point of [...points, bytes.length]) {
            parts.push(bytes.subarray(start, point));
            start = point;
          }
          expect(split(parts, longest + slack, 'sse')).toEqual(lines);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('caps a line on its own bytes, its CR or CRLF ending not counted, wherever the reads split it', () => {
    for (const endings of ['lf', 'sse'] as const) {
      for (const [text, fits] of [
        ['12345678\r\nnext\n', true],
        ['12345678\nnext\n', true],
        ['123456789\r\nnext\n', false],
        ['123456789\nnext\n', false],
      ] as const) {
        const bytes = Buffer.from(text);
        for (let cut = 0; cut <= bytes.length; cut++) {
          const parts = [bytes.subarray(0, cut), bytes.subarray(cut)];
          const outcome = (() => {
            try {
              return split(parts, 8, endings);
            } catch (error) {
              return error;
            }
          })();
          if (fits)
            expect(outcome, `${endings} ${JSON.stringify(text)} cut at ${cut}`).toEqual([
              text.split(/\r?\n/)[0],
              'next',
            ]);
          else
            expect(outcome, `${endings} ${JSON.stringify(text)} cut at ${cut}`).toBeInstanceOf(
              LineTooLongError,
            );
        }
      }
    }
  });

  it('hands on the lines before a line over the cap, then throws LineTooLongError', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(8);
    expect(() =>
      splitter.push(Buffer.from('short\nalso ok\nthis one is too long\nnever\n'), (l) =>
        lines.push(l),
      ),
    ).toThrow(LineTooLongError);
    expect(lines).toEqual(['short', 'also ok']);
    // With 'sse' endings, each of the lines a lone CR ends is capped alone.
    for (const text of ['ok\rthis one is too long\r\n', 'ok\rthis one is too long\rok\n']) {
      const seen: string[] = [];
      const splitter = new LineSplitter(8, 'sse');
      expect(() => splitter.push(Buffer.from(text), (l) => seen.push(l))).toThrow(LineTooLongError);
      expect(seen).toEqual(['ok']);
    }
  });
});
