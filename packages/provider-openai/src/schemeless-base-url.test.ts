import { errorTexts } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOpenAIProvider } from './provider';

// URL parsing reads `localhost:8000/v1` as the scheme `localhost:`, and `127.0.0.1:1234/v1` as no
// URL at all: the error shows the URL meant instead, never uses it (a remote host guessed as
// http would get the key in clear). @x/provider-ollama accepts such a host, as OLLAMA_HOST does.

function refusal(options: Record<string, unknown>): Error {
  try {
    createOpenAIProvider({ apiKey: 'sk-abc12345', ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(RangeError);
    return error as Error;
  }
  throw new Error('expected a RangeError');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createOpenAIProvider baseUrl without a scheme', () => {
  it.each([
    ['localhost:8000/v1', 'http://localhost:8000/v1'],
    ['localhost/v1', 'http://localhost/v1'],
    ['127.0.0.1:1234/v1', 'http://127.0.0.1:1234/v1'],
    ['[::1]:8000/v1', 'http://[::1]:8000/v1'],
    ['::1', 'http://[::1]'],
    ['10.1.2.3:8000/v1', 'http://10.1.2.3:8000/v1'],
    ['192.168.1.20:1234/v1', 'http://192.168.1.20:1234/v1'],
    ['172.20.0.2:8000/v1', 'http://172.20.0.2:8000/v1'],
    ['vllm:8000/v1', 'http://vllm:8000/v1'],
    ['api.groq.com/openai/v1', 'https://api.groq.com/openai/v1'],
    ['api.openai.com:443/v1', 'https://api.openai.com:443/v1'],
    ['8.8.8.8/v1', 'https://8.8.8.8/v1'],
    ['172.32.0.1/v1', 'https://172.32.0.1/v1'],
  ])('is a RangeError showing %j with its scheme, %j', (baseUrl, use) => {
    expect(refusal({ baseUrl }).message).toBe(
      `Expected \`baseUrl\` to be an http: or https: URL: add the scheme, "${use}", got \`"${baseUrl}"\` (string)`,
    );
  });

  it('names OPENAI_BASE_URL and preset.baseUrl when the value came from there', () => {
    vi.stubEnv('OPENAI_BASE_URL', 'localhost:8000/v1');
    expect(refusal({}).message).toMatch(
      /^Expected `OPENAI_BASE_URL` to be an http: or https: URL: add the scheme, "http:\/\/localhost:8000\/v1"/,
    );
    vi.unstubAllEnvs();
    const preset = { name: 'gateway', baseUrl: 'llm.example.com/v1' };
    expect(refusal({ preset }).message).toMatch(
      /^Expected `preset\.baseUrl` to be an http: or https: URL: add the scheme, "https:\/\/llm\.example\.com\/v1"/,
    );
  });

  it.each([
    ['tok-s3cr3t-value@api.example.com/v1', 'https://[redacted]@api.example.com/v1'],
    ['user:s3cr3t-value@localhost:8000/v1', undefined],
    ['api.example.com/v1?api-key=s3cr3t-value', 'https://api.example.com/v1?[redacted]'],
  ])('never shows a credential written into %j', (baseUrl, use) => {
    const error = refusal({ baseUrl });
    const texts = errorTexts([error]).join('\n');
    expect(texts).not.toContain('s3cr3t');
    expect(texts).toContain('[redacted]');
    if (use !== undefined) expect(error.message).toContain(`add the scheme, "${use}"`);
  });

  it.each([
    ['mailto:ops@example.com', 'an http: or https: URL, got'],
    ['http//localhost:8000/v1', 'a URL such as "https://api.openai.com/v1", got'],
  ])('guesses no URL for another scheme or a mistyped one (%j)', (baseUrl, wording) => {
    const { message } = refusal({ baseUrl });
    expect(message).toContain(wording);
    expect(message).not.toContain('add the scheme');
  });

  it('still accepts a URL with its scheme', () => {
    const provider = createOpenAIProvider({
      apiKey: 'sk-abc12345',
      baseUrl: 'http://localhost:8000/v1/',
    });
    expect(provider.baseUrl).toBe('http://localhost:8000/v1');
    return provider.close();
  });
});
