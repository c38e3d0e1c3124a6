import { describe, expect, it } from 'vitest';
import { holdsLogin } from './model-login';

describe('holdsLogin', () => {
  it('finds a URL with a password, or a bare user:password@host', () => {
    for (const model of [
      'http://bob:hunter2pass@host/m',
      'https://bob:hunter2pass@hf.co/org/model',
      'https://bob@hf.co/x',
      'bob:hunter2pass@registry.example.com/ns/model:tag',
      ':hunter2pass@registry.example.com/m',
      'bob:p@ss/w0rd@registry.example.com/m',
    ]) {
      expect(holdsLogin(model), model).toBe(true);
    }
  });

  it('leaves model names, paths, digests and versions alone', () => {
    for (const model of [
      'llama3.2:latest',
      'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M',
      `smollm2:latest@sha256:${'0123456789abcdef'.repeat(4)}`,
      `nomic-embed-text@sha256:${'0123456789abcdef'.repeat(4)}`,
      'claude-3-5-sonnet-v2@20241022',
      'unpkg.com/react@18',
      '/models/snapshots/0e9e39f249a16976918f6564b8830bc894c89659',
      'https://hf.co/users/@me/model',
    ]) {
      expect(holdsLogin(model), model).toBe(false);
    }
  });
});
