import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOpenAIProvider } from './provider';

// A `baseUrl` of the wrong type is worded as @x/provider-ollama words it (its
// base-url-wording.test.ts): one helper of @x/internal (`expectUrlString`) words both.

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a baseUrl that is not a string', () => {
  it.each([
    ['a number', 5, '`5` (number)'],
    ['null', null, '`null` (null)'],
    ['a URL object', new URL('http://127.0.0.1:9/v1'), 'a URL object'],
  ])('is a TypeError asking for a URL string (%s)', (_, baseUrl, shown) => {
    expect(() => createOpenAIProvider({ apiKey: 'sk-test', baseUrl } as never)).toThrow(
      new TypeError(`Expected \`baseUrl\` to be a URL string, got ${shown}`),
    );
  });

  it('is worded the same in a custom preset, whose baseUrl is required', () => {
    for (const [baseUrl, shown] of [
      [undefined, '`undefined` (undefined)'],
      [7, '`7` (number)'],
    ] as const) {
      expect(() =>
        createOpenAIProvider({ apiKey: 'sk-test', preset: { name: 'p', baseUrl } } as never),
      ).toThrow(new TypeError(`Expected \`preset.baseUrl\` to be a URL string, got ${shown}`));
    }
  });
});

describe('a baseUrl with a line break', () => {
  it('is a RangeError worded as for any control character, as @x/provider-ollama words it', () => {
    const worded =
      /^Expected `baseUrl` to be a URL without control characters \(tab, CR, LF, NUL\.\.\.\), got `"http:\/\/127\.0\.0\.1:9\/v1\\n"`/;
    expect(() =>
      createOpenAIProvider({ apiKey: 'sk-test', baseUrl: 'http://127.0.0.1:9/v1\n' }),
    ).toThrow(worded);
    expect(() =>
      createOpenAIProvider({
        apiKey: 'sk-test',
        preset: { name: 'p', baseUrl: 'http://127.0.0.1:9/v1\r' },
      } as never),
    ).toThrow(/^Expected `preset\.baseUrl` to be a URL without control characters \(tab, CR, LF/);
  });
});
