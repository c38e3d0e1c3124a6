import { describe, expect, it } from 'vitest';
import { escapeUnseen, quoted } from './quoted';

/** "I want" in Persian: a ZWNJ between the prefix and the verb. */
const PERSIAN = 'می\u200cخواهم';
/** Man, woman, girl joined by two ZWJ. */
const FAMILY = '👨\u200d👩\u200d👧';
const KEEP = { keepJoiners: true };

describe('escapeUnseen', () => {
  it('escapes every joiner, and every other invisible character, by default', () => {
    expect(escapeUnseen(`${PERSIAN} a\r\nb\u202e`)).toBe('می\\u200cخواهم a\\u000d\\u000ab\\u202e');
    expect(escapeUnseen(FAMILY)).toBe('👨\\u200d👩\\u200d👧');
    expect(escapeUnseen(FAMILY, { keepJoiners: false })).toBe('👨\\u200d👩\\u200d👧');
    expect(escapeUnseen(FAMILY, { keepJoiners: undefined })).toBe('👨\\u200d👩\\u200d👧');
  });

  it('keeps a joiner between two visible characters with keepJoiners', () => {
    expect(escapeUnseen(`${PERSIAN} ${FAMILY}`, KEEP)).toBe(`${PERSIAN} ${FAMILY}`);
    // a variation selector (a mark, visible with its character), then a ZWJ
    expect(escapeUnseen('❤\ufe0f\u200d🔥', KEEP)).toBe('❤\ufe0f\u200d🔥');
  });

  it.each([
    ['at the start', '\u200dabc', '\\u200dabc'],
    ['at the end', 'abc\u200c', 'abc\\u200c'],
    ['in a run', 'a\u200d\u200cb', 'a\\u200d\\u200cb'],
    ['beside a space', 'a \u200db', 'a \\u200db'],
    ['beside a line break', 'ok\u200d\r\nINFO', 'ok\\u200d\\u000d\\u000aINFO'],
    ['beside a bidi override', 'a\u200d\u202eb', 'a\\u200d\\u202eb'],
    ['beside a lone surrogate', 'a\u200d\ud83d', 'a\\u200d\\ud83d'],
  ])('still escapes a joiner %s with keepJoiners', (_, text, shown) => {
    expect(escapeUnseen(text, KEEP)).toBe(shown);
  });

  it('escapes what lies between kept joiners, and changes nothing escaped again', () => {
    const text = `a\u0000${FAMILY}\u2028x\u200cy\u001b[31m`;
    const shown = `a\\u0000${FAMILY}\\u2028x\u200cy\\u001b[31m`;
    expect(escapeUnseen(text, KEEP)).toBe(shown);
    expect(escapeUnseen(shown, KEEP)).toBe(shown);
  });
});

describe('quoted', () => {
  it('escapes a joiner in a name, even between visible characters', () => {
    expect(quoted('gpt\u200d4o')).toBe('"gpt\\u200d4o"');
    expect(quoted(PERSIAN)).toBe('"می\\u200cخواهم"');
  });
});
