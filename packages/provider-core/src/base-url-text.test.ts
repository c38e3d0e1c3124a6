import { afterEach, describe, expect, it } from 'vitest';
import { cores, lineCore } from './__fixtures__/line-core';

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
});

function refusal(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  throw new Error('not refused');
}

describe('baseUrl as given to the core', () => {
  it('refuses a control character or surrounding whitespace, naming baseUrl (the URL parser would drop them)', () => {
    for (const bad of [
      'http://127.0.0.1:9/a\nb',
      'http://127.0.0.1:9\t',
      ' http://127.0.0.1:9',
      'http://127.0.0.1:9\n',
    ]) {
      const error = refusal(() => lineCore(bad, {}));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toMatch(/^Expected `baseUrl` to be a URL without control characters/);
    }
    expect(() => lineCore('http://127.0.0.1:9/v1', {})).not.toThrow();
  });

  it('never shows the password or query of a refused baseUrl', () => {
    const error = refusal(() => lineCore('http://u:hunter2@127.0.0.1:9/v1?key=s3cret\n', {}));
    expect(error.message).not.toMatch(/hunter2|s3cret/);
  });

  it('refuses CR, LF or NUL in a header value naming the header, never the value', () => {
    for (const bad of ['Bearer zq9secret\r\nx-evil: 1', 'a\nb', 'a\0b']) {
      const error = refusal(() => lineCore('http://127.0.0.1:9', { headers: { 'x-token': bad } }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toContain('`headers.x-token`');
      expect(error.message).not.toContain(bad);
      expect(error.message).not.toContain('zq9secret');
    }
  });
});
