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

  // Standard base64 holds `/` and `+`, which once cut it into pieces: a piece too short or
  // without digits was shown, and a hidden piece left the rest of the run beside it.
  it('hides base64 whole, its slashes, pluses and padding included, wherever it stands in a text', () => {
    expect(hideSecretShapes('invalid key +/+/PpoRwN76zrAMf/5CmQH7 for this project')).toBe(
      'invalid key [redacted] for this project',
    );
    expect(hideSecretShapes('token WvOrfzdyttY1Gf9LFPF7142HNgcYFC/weurXWA== expired')).toBe(
      'token [redacted] expired',
    );
    expect(hideSecretShapes('key=Kot8/CIOOhKytxsHDHQ02auzhugkFkc=&x=1')).toBe('key=[redacted]&x=1');
    expect(hideSecretShapes('Authorization: Basic dXNlcjpwYXNzd29yZA==')).toBe(
      'Authorization: Basic [redacted]',
    );
    // after a JSON escape, whose letters are kept
    expect(hideSecretShapes('{\\u0022key\\u0022:\\u0022+/+/PpoRwN76zrAMf/5CmQH7\\u0022}')).toBe(
      '{\\u0022key\\u0022:\\u0022[redacted]\\u0022}',
    );
    expect(hideSecretShapes('line one\\n+/+/PpoRwN76zrAMf/5CmQH7')).toBe('line one\\n[redacted]');
  });

  it('hides random bytes in base64, whatever their length, and never shows a part of them', () => {
    // A fixed sequence of bytes (no Math.random: the same cases on every run).
    let state = 0x2545f491;
    const next = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state & 0xff;
    };
    let hidden = 0;
    const total = 400;
    for (let i = 0; i < total; i++) {
      const bytes = Buffer.from(Array.from({ length: 12 + (i % 36) }, next));
      const encoded = bytes.toString('base64');
      const text = hideSecretShapes(`the server said: ${encoded} is not a valid key`);
      // never a piece hidden and the rest shown
      expect(text === `the server said: ${encoded} is not a valid key` || !text.includes('/')).toBe(
        true,
      );
      if (text === 'the server said: [redacted] is not a valid key') hidden++;
    }
    // A few random runs happen to spell words (long runs of one case): judged as text.
    expect(hidden).toBeGreaterThanOrEqual(total * 0.97);
  });

  it('leaves paths, URLs and resource names alone, slashes and capitals included', () => {
    for (const text of [
      'a/b/c',
      'locations/us-central1/publishers/google/models/gemini-1.5-flash-002',
      'projects/my-project/locations/us-central1/publishers/google/models/gemini-1.5-flash-002',
      'C:/Users/JohnSmith/Documents/MyProject/src/Index.ts',
      '/home/runner/work/ProjectName/node_modules/SomePackage/dist',
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-flash:generateContent',
      'POST /v1/chat/completions returned 401: Incorrect API key provided',
      'maxAnswerBytes/requestTimeoutMs/firstTokenMs',
      'XMLHttpRequest/EventTarget/AbortController',
      'TheQuickBrownFox/JumpsOverTheLazyDog==',
      'docs/How/To/Set/Up/Go',
      'value isEnabledForTheUser= was refused',
      'Basic realm with a/b/c+d',
    ]) {
      expect(hideSecretShapes(text)).toBe(text);
    }
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
