// A load or unload request (no messages, an empty prompt) has no cache key: never cached.
import { describe, expect, it } from 'vitest';
import { CHAT, CHAT_WHOLE } from './chat';
import { GENERATE, GENERATE_WHOLE } from './generate';

describe('cacheKey', () => {
  it('is undefined for a chat with no messages, and the body otherwise', () => {
    for (const op of [CHAT, CHAT_WHOLE]) {
      expect(op.cacheKey!({ model: 'llama3.2', messages: [], keepAlive: 0 })).toBeUndefined();
      const key = op.cacheKey!({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
      expect(key).toMatchObject({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    }
  });

  it('is undefined for a generate with an empty or absent prompt, and the body otherwise', () => {
    for (const op of [GENERATE, GENERATE_WHOLE]) {
      expect(op.cacheKey!({ model: 'llama3.2', prompt: '' })).toBeUndefined();
      expect(op.cacheKey!({ model: 'llama3.2', keepAlive: 0 })).toBeUndefined();
      expect(op.cacheKey!({ model: 'llama3.2', prompt: 'hi' })).toMatchObject({ prompt: 'hi' });
    }
  });
});
