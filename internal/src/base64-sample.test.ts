import { describe, expect, it } from 'vitest';
import { looksBase64 } from './base64-sample';

describe('looksBase64', () => {
  it.each([
    '',
    'aGk=',
    'aGVsbG8gd29ybGQ=',
    'aGVs\nbG8=',
    'aGVs\r\nbG8=',
    `${'A'.repeat(1000)}\n${'B'.repeat(999)}=`,
  ])('takes %j: whole groups of 4, line breaks not counted', (text) => {
    expect(looksBase64(text)).toBe(true);
  });

  it.each([
    'aGk',
    'not base64!!',
    'https://example.com/a.png',
    'a=b=',
    `%%%%${'A'.repeat(300)}`,
    `${'A'.repeat(300)}%%%%`,
  ])('refuses %j', (text) => {
    expect(looksBase64(text)).toBe(false);
  });

  it('looks at the ends of a long text only, not its middle', () => {
    expect(looksBase64(`${'A'.repeat(100)}!!!!${'A'.repeat(100)}`)).toBe(true);
  });
});
