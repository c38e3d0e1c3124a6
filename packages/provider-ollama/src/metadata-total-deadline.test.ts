import { describe, expect, it } from 'vitest';
import { destroyedAfterEach } from './__fixtures__/server';
import { isOllamaTimeoutError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';

// `timeouts.totalMs` bounds the whole call, retries included: the metadata calls too (as
// complete()'s), not the uploads (pushBlob), which may rightly take longer than any answer.

const { providers, listen: server } = destroyedAfterEach();

function provider(baseUrl: string, totalMs: number): OllamaProvider {
  const p = createOllamaProvider({
    baseUrl,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
    breaker: false,
    timeouts: { totalMs, firstTokenMs: 1_000 },
  });
  providers.push(p);
  return p;
}

const digest = `sha256:${'a'.repeat(64)}`;

describe('timeouts.totalMs and the metadata calls', () => {
  it('ends each one at totalMs with timeout "total", not after every attempt', async () => {
    // A server that never answers: three attempts of firstTokenMs each would take 3 s.
    const url = await server((req) => req.resume());
    const ollama = provider(url, 500);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['deleteModel', () => ollama.deleteModel('x')],
      ['copyModel', () => ollama.copyModel({ source: 'a', destination: 'b' })],
      ['listModels', () => ollama.listModels()],
      ['show', () => ollama.show('x')],
      ['ps', () => ollama.ps()],
      ['version', () => ollama.version()],
      ['hasBlob', () => ollama.hasBlob(digest)],
    ];
    for (const [name, call] of calls) {
      const started = performance.now();
      const error = await call().catch((e) => e);
      const took = performance.now() - started;
      expect(isOllamaTimeoutError(error), name).toBe(true);
      expect(error, name).toMatchObject({ timeout: 'total', timeoutMs: 500, retryable: false });
      // Well below the 3 s of three first-byte waits, with room for a loaded runner.
      expect(took, name).toBeLessThan(2_500);
    }
  }, 30_000);

  it('keeps the caller’s abort reason', async () => {
    const url = await server((req) => req.resume());
    const controller = new AbortController();
    const reason = new Error('not wanted');
    const pending = provider(url, 5_000).listModels({ signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('timeouts.totalMs and pushBlob', () => {
  it('does not end an upload that takes longer than totalMs', async () => {
    const url = await server((req, res) => {
      req.resume();
      req.on('end', () => res.end());
    });
    async function* slow() {
      for (let i = 0; i < 8; i++) {
        yield new Uint8Array(256);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const started = performance.now();
    await expect(provider(url, 300).pushBlob(slow(), { digest })).resolves.toBe(digest);
    expect(performance.now() - started).toBeGreaterThan(700);
  });
});
