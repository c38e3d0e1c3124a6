import {
  baseUrlsOfWrongType,
  controlCharacterRefusal,
  urlStringRefusal,
} from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOllamaProvider } from './provider';

// A `baseUrl` of the wrong type is worded as @x/provider-openai words it (its
// base-url-wording.test.ts): one helper of @x/internal (`expectUrlString`) words both, and the
// wording these tests expect is one copy too (`@x/internal/testing`'s wrong-base-url.ts).

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a baseUrl that is not a string', () => {
  it.each(baseUrlsOfWrongType('http://127.0.0.1:9'))(
    'is a TypeError asking for a URL string (%s)',
    (_, baseUrl, shown) => {
      vi.stubEnv('OLLAMA_HOST', 'http://127.0.0.1:9');
      expect(() => createOllamaProvider({ baseUrl } as never)).toThrow(
        urlStringRefusal('baseUrl', shown),
      );
    },
  );
});

describe('a baseUrl with a line break', () => {
  it('is a RangeError worded as for any control character, as @x/provider-openai words it (the ends are trimmed, as Ollama trims OLLAMA_HOST)', () => {
    expect(() => createOllamaProvider({ baseUrl: 'http://127.0.0\n.1:9' })).toThrow(
      controlCharacterRefusal('baseUrl'),
    );
  });
});
