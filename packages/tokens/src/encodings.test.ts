import { execFileSync } from 'node:child_process';
import diagnostics_channel from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Each test imports a fresh copy of the module graph, so encodings are not loaded yet.
async function fresh() {
  vi.resetModules();
  return import('./index');
}

describe('encodingForModel', () => {
  it.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini-2024-07-18', 'o200k_base'],
    ['gpt-4.1-nano', 'o200k_base'],
    ['gpt-4.5-preview', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['gpt-5-mini', 'o200k_base'],
    ['o1', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['o4-mini-2025-04-16', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['openai/gpt-4o', 'o200k_base'],
    ['azure/gpt-4o', 'o200k_base'],
    ['azure/gpt-35-turbo', 'cl100k_base'],
    ['openrouter/openai/gpt-4o-mini', 'o200k_base'],
    ['gpt-oss:20b', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-0613', 'cl100k_base'],
    ['gpt-4-turbo-2024-04-09', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['gpt-35-turbo', 'cl100k_base'],
    ['text-embedding-3-small', 'cl100k_base'],
    ['text-embedding-ada-002', 'cl100k_base'],
    ['ft:gpt-4o-mini-2024-07-18:acme::9aBcDeF', 'o200k_base'],
    ['ft:gpt-3.5-turbo-0125:acme:support:8xYz', 'cl100k_base'],
  ])('maps %s to %s', async (model, encoding) => {
    const { encodingForModel } = await import('./index');
    expect(encodingForModel(model)).toBe(encoding);
  });

  it.each([
    'llama3.2',
    'claude-sonnet-4',
    'gemini-2.5-pro',
    'mistral',
    'sonar',
    'davinci',
    'o2',
    'ft:llama3.2:acme::1',
  ])('returns undefined when %s has no exact encoding', async (model) => {
    const { encodingForModel } = await import('./index');
    expect(encodingForModel(model)).toBeUndefined();
  });

  it('uses the encoding of a registered model when one is registered', async () => {
    const { encodingForModel, registerModel } = await import('./index');
    const unregister = registerModel({
      id: 'my-azure-deployment',
      provider: 'openai',
      contextWindow: 128_000,
      encoding: 'o200k_base',
    });
    expect(encodingForModel('my-azure-deployment')).toBe('o200k_base');
    unregister();
    expect(encodingForModel('my-azure-deployment')).toBeUndefined();
  });
});

describe('onEncodingLoad', () => {
  it('reports one load with its duration when an encoding is first used', async () => {
    const { countTokens, loadedEncodings, onEncodingLoad } = await fresh();
    const events: { encoding: string; durationMs: number; via: string }[] = [];
    const off = onEncodingLoad((event) => events.push(event));
    expect(loadedEncodings()).toEqual([]);
    countTokens('one', { encoding: 'cl100k_base' });
    countTokens('two', { encoding: 'cl100k_base' });
    off();
    countTokens('three', { encoding: 'o200k_base' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ encoding: 'cl100k_base', via: 'require' });
    expect(events[0]!.durationMs).toBeGreaterThan(0);
    expect(loadedEncodings().sort()).toEqual(['cl100k_base', 'o200k_base']);
  });

  it('publishes on diagnostics_channel x:tokens:encoding-load when subscribed', async () => {
    const { countTokens } = await fresh();
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    diagnostics_channel.subscribe('x:tokens:encoding-load', listener);
    try {
      countTokens('x', { encoding: 'o200k_base' });
    } finally {
      diagnostics_channel.unsubscribe('x:tokens:encoding-load', listener);
    }
    expect(seen).toEqual([expect.objectContaining({ encoding: 'o200k_base' })]);
  });

  it('reports a throwing listener as a process warning naming the event, and the count still succeeds', async () => {
    const { countTokens, onEncodingLoad } = await fresh();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const seen: string[] = [];
    onEncodingLoad(() => {
      throw new Error('listener bug');
    });
    onEncodingLoad((event) => seen.push(event.encoding));
    try {
      expect(countTokens('tiktoken is great!', { encoding: 'cl100k_base' })).toBe(6);
      expect(seen).toEqual(['cl100k_base']);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        "@x/tokens: a 'encoding-load' listener threw: Error: listener bug",
        expect.objectContaining({ type: 'XListenerError', code: 'X_TOKENS_LISTENER_ERROR' }),
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('throws TypeError when the listener is not a function', async () => {
    const { onEncodingLoad } = await import('./index');
    expect(() => onEncodingLoad('x' as never)).toThrow(TypeError);
  });
});

describe('loadEncoding', () => {
  it('loads through import() so the first count does not load again', async () => {
    const { countTokens, loadEncoding, onEncodingLoad } = await fresh();
    const vias: string[] = [];
    onEncodingLoad((event) => vias.push(event.via));
    await loadEncoding('cl100k_base');
    await loadEncoding('cl100k_base');
    expect(countTokens('tiktoken is great!', { encoding: 'cl100k_base' })).toBe(6);
    expect(vias).toEqual(['import']);
  });

  it('rejects with the signal reason when the signal is already aborted or aborts first', async () => {
    const { loadEncoding, loadedEncodings } = await fresh();
    const reason = new Error('stop');
    await expect(loadEncoding('o200k_base', { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    expect(loadedEncodings()).toEqual([]);
    const controller = new AbortController();
    const pending = loadEncoding('o200k_base', { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('resolves when the signal never aborts', async () => {
    const { loadEncoding, loadedEncodings } = await fresh();
    await loadEncoding('o200k_base', { signal: new AbortController().signal });
    expect(loadedEncodings()).toEqual(['o200k_base']);
  });

  it('rejects with a RangeError when the encoding is unknown, a TypeError when it is no string', async () => {
    const { loadEncoding } = await import('./index');
    await expect(loadEncoding('gpt2' as never)).rejects.toThrow(RangeError);
    await expect(loadEncoding(5 as never)).rejects.toThrow(TypeError);
  });
});

describe('clearCountCache', () => {
  it('keeps counts identical when the memo is cleared', async () => {
    const { clearCountCache, countTokens } = await import('./index');
    const text = 'Repeated words repeated words, repeated 12345 times.';
    const before = countTokens(text);
    clearCountCache();
    expect(countTokens(text)).toBe(before);
  });
});

// Real child processes and a real bundler: a bundled app has no node_modules beside it, which no
// in-process test can imitate. No timers are involved.
describe('a bundled app (esbuild into one file, run by a child process)', () => {
  const source = fileURLToPath(new URL('./index.ts', import.meta.url));
  // esbuild comes with tsup, the repository's build tool.
  const tsup = createRequire(import.meta.url).resolve('tsup');
  const esbuild = createRequire(tsup)('esbuild') as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'x-tokens-bundle-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const script = `
    import { countTokens, estimateTokens, isEncodingLoadError, loadEncoding } from ${JSON.stringify(source)};
    const report = (error) => ({ typed: isEncodingLoadError(error), code: error.code, message: error.message });
    const out = { estimate: estimateTokens('tiktoken is great!', { model: 'gpt-4o' }) };
    try { out.sync = countTokens('tiktoken is great!'); } catch (error) { out.sync = report(error); }
    try { await loadEncoding('o200k_base'); out.after = countTokens('tiktoken is great!'); }
    catch (error) { out.after = report(error); }
    console.log(JSON.stringify(out));
  `;

  async function run(name: string, external: string[]) {
    const entry = join(dir, `${name}.ts`);
    writeFileSync(entry, script);
    const outfile = join(dir, `${name}.mjs`);
    await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      external,
      logLevel: 'silent',
    });
    // pnpm's bin shims set NODE_PATH to its store, where js-tiktoken would be found: a user's
    // bundled app has no such path.
    const { NODE_PATH: _, ...env } = process.env;
    const stdout = execFileSync(process.execPath, [outfile], { cwd: dir, encoding: 'utf8', env });
    return JSON.parse(stdout) as Record<string, { typed: boolean; code: string; message: string }>;
  }

  it('throws a typed error suggesting `await loadEncoding()`, then counts once it was awaited', async () => {
    const out = await run('app', []);
    expect(out.sync).toMatchObject({ typed: true, code: 'X_TOKENS_ENCODING_LOAD' });
    expect(out.sync!.message).toContain("await loadEncoding('o200k_base')");
    expect(out.sync!.message).toContain('npm install js-tiktoken');
    expect(out.after).toBe(6);
  });

  it('keeps estimating and names the package to install when js-tiktoken is not installed', async () => {
    const out = await run('without-js-tiktoken', ['js-tiktoken', 'js-tiktoken/*']);
    expect(out.estimate).toMatchObject({ method: 'heuristic', overheadTokens: 0 });
    expect(out.sync).toMatchObject({ typed: true, code: 'X_TOKENS_ENCODING_LOAD' });
    expect(out.after).toMatchObject({ typed: true, code: 'X_TOKENS_ENCODING_LOAD' });
    expect(out.after!.message).toContain('js-tiktoken is not installed');
    expect(out.after!.message).toContain('npm install js-tiktoken');
  });
});
