import { describe, expect, it } from 'vitest';
import { JSON_PLAIN, JSON_TEXT, jsonText } from './json-text';

const text = new RegExp(`^"${JSON_TEXT}"$`);
const plain = new RegExp(`^"(${JSON_PLAIN})"$`);

describe('JSON_TEXT and jsonText', () => {
  it.each([
    '',
    'plain',
    'quote " and backslash \\',
    'controls \n \t \u0000 \u001f',
    'non-ASCII é 😀 and a lone surrogate \ud800',
  ])('match a JSON string and give back what JSON.parse gives (%j)', (value) => {
    const json = JSON.stringify(value);
    const match = text.exec(json);
    expect(match).not.toBeNull();
    expect(jsonText(match![1]!)).toBe(JSON.parse(json));
  });

  it('reads the escapes JSON allows but JSON.stringify never writes', () => {
    const match = text.exec(String.raw`"\u003cb\u003e \/ \b\f"`);
    expect(jsonText(match![1]!)).toBe('<b> / \b\f');
  });

  it.each([
    ['a raw quote', '"a"b"'],
    ['a raw newline', '"a\nb"'],
    ['an unknown escape', String.raw`"a\qb"`],
    ['a short \\u escape', String.raw`"\u12"`],
    ['a dangling backslash', '"a\\"'],
  ])('match no string with %s', (_, json) => {
    expect(text.exec(json)).toBeNull();
  });
});

describe('JSON_PLAIN', () => {
  it('matches a string without escapes only', () => {
    expect(plain.exec('"llama3.2:8b"')?.[1]).toBe('llama3.2:8b');
    expect(plain.exec(String.raw`"a\nb"`)).toBeNull();
  });
});
