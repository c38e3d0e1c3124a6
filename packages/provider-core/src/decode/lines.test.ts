import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, LineTooLongError } from './lines';

/** Every line `push`/`end` hand on, for `parts` fed in order. */
function split(parts: Buffer[], max: number): string[] {
  const splitter = new LineSplitter(max);
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
          const longest = Math.max(...lines.map((l) => Buffer.byteLength(l) + 1));
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

  it('hands on the lines before a line over the cap, then throws LineTooLongError', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(8);
    expect(() =>
      splitter.push(Buffer.from('short\nalso ok\nthis one is too long\nnever\n'), (l) =>
        lines.push(l),
      ),
    ).toThrow(LineTooLongError);
    expect(lines).toEqual(['short', 'also ok']);
  });
});
