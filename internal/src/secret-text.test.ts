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
    // quotes written as JSON's \u0022 end a token as a quote does, and are kept
    expect(
      hideSecretShapes('{\\u0022key\\u0022:\\u0022sk-proj-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd\\u0022}'),
    ).toBe('{\\u0022key\\u0022:\\u0022[redacted]\\u0022}');
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
      // the hex of a quote written \u0022 is not part of the name after it
      '{\\u0022description\\u0022:\\u0022a longer description\\u0022}',
      '{\\u0027instructions\\u0027: \\u0027x\\u0027}',
    ]) {
      expect(hideSecretShapes(text)).toBe(text);
    }
  });
});
