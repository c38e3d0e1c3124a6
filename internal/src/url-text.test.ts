import { describe, expect, it } from 'vitest';
import { expectUrlString, expectUrlText } from './url-text';

describe('expectUrlText', () => {
  it('accepts a URL as written', () => {
    expect(() => expectUrlText('baseUrl', 'http://127.0.0.1:11434/v1')).not.toThrow();
  });

  it('refuses control characters anywhere and whitespace at either end, naming the option', () => {
    for (const bad of [
      'http://a\nb',
      'http://a\tb',
      'http://a\0b',
      ' http://a',
      'http://a\n',
      'http://a\u0085',
    ]) {
      expect(() => expectUrlText('baseUrl', bad)).toThrow(RangeError);
      expect(() => expectUrlText('baseUrl', bad)).toThrow(
        'Expected `baseUrl` to be a URL without control characters',
      );
    }
  });

  it('never shows a password or a query of the refused URL', () => {
    let message = '';
    try {
      expectUrlText('baseUrl', 'http://u:hunter2@h/v1?key=s3cret\n');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('`baseUrl`');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('s3cret');
  });
});

describe('expectUrlString', () => {
  it('accepts a string, whatever it holds (its text is checked apart)', () => {
    expect(() => expectUrlString('baseUrl', 'not a url')).not.toThrow();
  });

  it('refuses another type with a TypeError asking for a URL string', () => {
    expect(() => expectUrlString('baseUrl', 5)).toThrow(
      new TypeError('Expected `baseUrl` to be a URL string, got `5` (number)'),
    );
    expect(() => expectUrlString('preset.baseUrl', new URL('http://h/'))).toThrow(
      new TypeError('Expected `preset.baseUrl` to be a URL string, got a URL object'),
    );
  });
});
