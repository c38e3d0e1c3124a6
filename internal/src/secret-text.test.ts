import { describe, expect, it } from 'vitest';
import { hideSecretShapes } from './secret-text';

describe('hideSecretShapes', () => {
  it('hides generated keys, Authorization credentials and URL passwords', () => {
    expect(hideSecretShapes('sk-proj-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd')).toBe('[redacted]');
    expect(hideSecretShapes('key=sk_live_51HdQz8Lm3Pw8Rt2Yb6Nc4 and more')).toBe(
      '[redacted] and more',
    );
    expect(hideSecretShapes('Bearer sk-live')).toBe('Bearer [redacted]');
    expect(hideSecretShapes('Authorization: basic dXNlcjpwYXNz')).toBe(
      'Authorization: basic [redacted]',
    );
    expect(hideSecretShapes('redis://:hunter2@redis.local:6379')).toBe(
      'redis://[redacted]@redis.local:6379',
    );
    // a JWT's three parts
    expect(
      hideSecretShapes('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N'),
    ).toBe('[redacted]');
  });

  // A JSON body quoted inside a text escapes its quotes: the backslash before a closing quote is
  // the text's, not the credential's, and stays in front of it.
  it('keeps the escaping of a quoted JSON body around what it hides', () => {
    expect(hideSecretShapes('{\\"h\\":\\"Bearer opaque-tok-1\\"}')).toBe(
      '{\\"h\\":\\"Bearer [redacted]\\"}',
    );
    expect(
      hideSecretShapes('{\\\\\\"k\\\\\\":\\\\\\"sk-proj-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd\\\\\\"}'),
    ).toBe('{\\\\\\"k\\\\\\":\\\\\\"[redacted]\\\\\\"}');
    // a backslash inside a credential is part of it
    expect(hideSecretShapes('Basic abc\\def')).toBe('Basic [redacted]');
  });

  it('leaves the names a user writes alone', () => {
    for (const text of [
      'llama3.2:latest',
      'meta-llama/Llama-3.1-8B-Instruct',
      'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M',
      'gpt-4o-2024-08-06',
      'maxAnswerBytes',
      'http://127.0.0.1:11434',
      'https://api.openai.com/v1',
      'abcdefghijklmnopqrstuvwxyz',
      '12345678901234567890',
      'a bearer of bad news',
    ]) {
      expect(hideSecretShapes(text)).toBe(text);
    }
  });
});
