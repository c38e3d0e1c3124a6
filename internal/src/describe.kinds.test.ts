import { expect, it, describe as suite, vi } from 'vitest';
import { describe, expected } from './describe';

suite('describe, for objects JSON would not show', () => {
  it('names bytes by kind and size, and reads none of them', () => {
    const image = new Uint8ClampedArray(4_000_000);
    // Before, the whole image went through JSON.stringify (4 million keys) to show 60 characters.
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      expect(describe(image)).toBe('a Uint8ClampedArray (4000000 bytes)');
      expect(describe({ images: [image] })).toBe(
        '`{"images":[[a Uint8ClampedArray (4000000 bytes)]]}` (object)',
      );
      expect(stringify.mock.calls.filter(([v]) => v === image || typeof v === 'object')).toEqual(
        [],
      );
    } finally {
      stringify.mockRestore();
    }
    expect(describe(Buffer.from('hi'))).toBe('a Uint8Array (2 bytes)');
    expect(describe(new ArrayBuffer(8))).toBe('an ArrayBuffer (8 bytes)');
    expect(describe(new SharedArrayBuffer(4))).toBe('a SharedArrayBuffer (4 bytes)');
    expect(describe(new DataView(new ArrayBuffer(2)))).toBe('a DataView (2 bytes)');
  });

  it('names a Map, a Set, a Blob, a File, a URL and a class instance', () => {
    expect(describe(new Map([['a', 1]]))).toBe('a Map (size 1)');
    expect(describe(new Set())).toBe('a Set (size 0)');
    expect(describe(new Blob(['abc']))).toBe('a Blob (3 bytes)');
    expect(describe(new URL('https://u:pw@example.com/'))).toBe('a URL object');
    expect(expected('baseUrl', 'a https: URL', new URL('https://example.com'))).toBe(
      'Expected `baseUrl` to be a https: URL, got a URL object',
    );
    class Msg {
      get content(): string {
        return 'hi';
      }
    }
    expect(describe(new Msg())).toBe('a Msg instance');
    expect(describe({ m: new Msg() })).toBe('`{"m":[a Msg instance]}` (object)');
    expect(describe(new Date(0))).toBe('`"1970-01-01T00:00:00.000Z"` (object)');
  });

  it('never shows a class name that looks like a credential or holds odd characters', () => {
    const Named = { sk_live_51HdQz8Lm3Pw8Rt2Yb6Nc4Hd: class {} }.sk_live_51HdQz8Lm3Pw8Rt2Yb6Nc4Hd;
    const Odd = { 'a\u202eb': class {} }['a\u202eb'];
    expect(describe(new Named())).toBe('a class instance');
    expect(describe(new Odd())).toBe('a class instance');
  });

  it('still hides a credential that starts a long string, cut to what it shows', () => {
    const long = 'sk-proj-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd '.padEnd(4_000_000, 'x');
    const shown = describe(long);
    expect(shown).toMatch(/^`"\[redacted\] x+\.\.\.` \(string\)$/);
    expect(shown.length).toBeLessThan(80);
    expect(describe({ prompt: long }).length).toBeLessThan(80);
  });

  it('escapes controls and bidi characters in strings', () => {
    expect(describe('a\u0000b\u202ec')).toBe('`"a\\u0000b\\u202ec"` (string)');
  });
});
