import {
  baseUrlsOfWrongType,
  controlCharacterRefusal,
  urlStringRefusal,
} from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createOpenAIProvider } from './provider';

// A `baseUrl` of the wrong type is worded as @x/provider-ollama words it (its
// base-url-wording.test.ts): one helper of @x/internal (`expectUrlString`) words both, and the
// wording these tests expect is one copy too (`@x/internal/testing`'s wrong-base-url.ts).

describe('a baseUrl that is not a string', () => {
  it.each(baseUrlsOfWrongType('http://127.0.0.1:9/v1'))(
    'is a TypeError asking for a URL string (%s)',
    (_, baseUrl, shown) => {
      expect(() => createOpenAIProvider({ apiKey: 'sk-test', baseUrl } as never)).toThrow(
        urlStringRefusal('baseUrl', shown),
      );
    },
  );

  it('is worded the same in a custom preset, whose baseUrl is required', () => {
    for (const [baseUrl, shown] of [
      [undefined, '`undefined` (undefined)'],
      [7, '`7` (number)'],
    ] as const) {
      expect(() =>
        createOpenAIProvider({ apiKey: 'sk-test', preset: { name: 'p', baseUrl } } as never),
      ).toThrow(urlStringRefusal('preset.baseUrl', shown));
    }
  });
});

describe('a baseUrl with a line break', () => {
  it('is a RangeError worded as for any control character, as @x/provider-ollama words it', () => {
    expect(() =>
      createOpenAIProvider({ apiKey: 'sk-test', baseUrl: 'http://127.0.0.1:9/v1\n' }),
    ).toThrow(controlCharacterRefusal('baseUrl', '`"http://127.0.0.1:9/v1\\n"`'));
    expect(() =>
      createOpenAIProvider({
        apiKey: 'sk-test',
        preset: { name: 'p', baseUrl: 'http://127.0.0.1:9/v1\r' },
      } as never),
    ).toThrow(controlCharacterRefusal('preset.baseUrl'));
  });
});
