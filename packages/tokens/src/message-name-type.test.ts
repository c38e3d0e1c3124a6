import { describe, expect, it } from 'vitest';
import { countChatTokens } from './chat';
import { estimateTokens } from './estimate';

const wrongNames: unknown[] = [123, ['a'], null, { first: 'a' }, true];

function messagesWith(name: unknown): never {
  return [
    { role: 'user', content: 'a' },
    { role: 'user', content: 'hi', name },
  ] as never;
}

describe("a message's name", () => {
  it('is a TypeError naming messages[i].name when it is not a string (countChatTokens)', () => {
    for (const name of wrongNames) {
      expect(() => countChatTokens(messagesWith(name), { model: 'gpt-4o' }), String(name)).toThrow(
        TypeError,
      );
    }
    expect(() => countChatTokens(messagesWith(123), { model: 'gpt-4o' })).toThrow(
      new TypeError('Expected `messages[1].name` to be a string, got `123` (number)'),
    );
    expect(() => countChatTokens(messagesWith(null), { model: 'gpt-4o' })).toThrow(
      new TypeError('Expected `messages[1].name` to be a string, got `null` (null)'),
    );
  });

  it('is a TypeError naming input[i].name in estimateTokens', () => {
    for (const name of wrongNames) {
      expect(() => estimateTokens(messagesWith(name), { model: 'gpt-4o' }), String(name)).toThrow(
        TypeError,
      );
    }
    expect(() => estimateTokens(messagesWith(['a']), { model: 'gpt-4o' })).toThrow(
      /^Expected `input\[1\]\.name` to be a string, got/,
    );
  });

  it('is counted when a string, and may be left out', () => {
    const without = countChatTokens(messagesWith(undefined), { model: 'gpt-4o' });
    const named = countChatTokens(messagesWith('bob'), { model: 'gpt-4o' });
    expect(named).toBeGreaterThan(without);
    expect(estimateTokens(messagesWith('bob'), { model: 'gpt-4o' }).tokens).toBeGreaterThan(0);
  });
});
