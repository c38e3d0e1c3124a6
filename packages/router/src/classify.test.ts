import { describe, expect, it } from 'vitest';
import { describeError, MAX_ERROR_TEXT } from './classify';

describe('describeError', () => {
  it('keeps a short message whole', () => {
    expect(describeError(new Error('upstream said no')).message).toBe('upstream said no');
  });

  // A provider of the user's own may throw a message of any length; the summary lives on in stats
  // and events, and scrubbing 16 MB ran the scrub's patterns out of stack.
  it('cuts a huge message, and never throws on one', () => {
    for (const filler of ['password=ab\\x', 'a', 'word ']) {
      const message = filler.repeat(Math.ceil((16 * 1024 * 1024) / filler.length));
      const summary = describeError(new Error(message));
      expect(summary.message.length).toBeLessThanOrEqual(MAX_ERROR_TEXT + 40);
      expect(summary.message).toMatch(/… \(\d+ more characters\)$/);
    }
  });

  it('does not keep the part of a key the cut falls in', () => {
    const key = 'sk-proj-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd';
    // the key starts 10 characters before the cut: those 10 alone would not look like a key
    const message = `${'x '.repeat((MAX_ERROR_TEXT - 10) / 2)}${key} tail`;
    const summary = describeError(new Error(message)).message;
    expect(summary).not.toContain('sk-proj');
    expect(summary.endsWith(`… (${message.length - (MAX_ERROR_TEXT - 10)} more characters)`)).toBe(
      true,
    );
  });
});
