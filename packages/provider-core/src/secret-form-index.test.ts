import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormIndex } from './secret-form-index';
import { Forms, foldCase, unwrapped } from './secret-forms';

// How a secret's pieces are made and found: sliced out of a whole form looked for once (not made
// one by one), in an index that other indexes can join for the same pass over a text.

const found = (index: FormIndex, text: string): string[] => {
  const spans: number[] = [];
  index.find(text, spans);
  const out: string[] = [];
  for (let i = 0; i < spans.length; i += 2) out.push(`${spans[i]}-${spans[i + 1]}`);
  return [...new Set(out)].sort();
};

describe('Forms', () => {
  it('indexes the slices of a whole as each slice looked for on its own, line breaks or not', () => {
    const chars = fc.constantFrom(
      ...'aZ9+/=-',
      ' ',
      '\t',
      '\n',
      '\r\n',
      '\n  ',
      '\u200b',
      'İ',
      '😀',
    );
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 40 }).map((parts) => parts.join('')),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (whole, width, step, fold) => {
          const index = new FormIndex();
          new Forms(fold, index).slices(whole, width, step);
          const expected = new Set<string>();
          for (let at = 0; at + width <= whole.length; at += step) {
            const flat = unwrapped(whole.slice(at, at + width));
            if (flat !== '') expected.add(fold ? foldCase(flat) : flat);
          }
          expect(new Set(index.forms())).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('FormIndex', () => {
  it('keeps a form added twice once, and finds each of thousands where it is', () => {
    const index = new FormIndex();
    const forms = Array.from({ length: 5000 }, (_, i) => `form-${String(i).padStart(5, '0')}`);
    for (const form of forms) index.add(form);
    for (const form of forms.slice(0, 100)) index.add(form);
    expect([...index.forms()]).toHaveLength(forms.length);
    expect(found(index, `x ${forms[4321]} y ${forms[7]}`)).toEqual(['15-25', '2-12']);
    expect(found(index, 'form-99999 form-0000')).toEqual([]);
  });

  it('finds in one pass what each index joined to it finds, with its own forms', () => {
    const own = new FormIndex();
    own.add('configured-key');
    own.add('abc');
    const first = new FormIndex();
    first.add('recent-key-one');
    first.add('shared-piece');
    const second = new FormIndex();
    second.add('recent-key-two');
    second.add('shared-piece');
    second.add('xyz');
    own.addIndex(first);
    own.addIndex(second);
    const text = 'abc configured-key, recent-key-one; shared-piece / recent-key-two xyz';
    expect(found(own, text)).toEqual(['0-3', '4-18', '20-34', '36-48', '51-65', '66-69'].sort());
    expect([...own.forms()].sort()).toEqual(
      [
        'abc',
        'configured-key',
        'recent-key-one',
        'shared-piece',
        'recent-key-two',
        'shared-piece',
        'xyz',
      ].sort(),
    );
    expect(found(own, 'nothing here')).toEqual([]);
  });
});
