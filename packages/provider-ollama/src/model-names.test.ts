// Model names are checked against Ollama's own grammar (types/model/name.go, internal/modelref)
// before anything is sent, as each endpoint reads them, and never more strictly than the server.
import { describe, expect, it } from 'vitest';
import { thrown } from './__fixtures__/refusal';
import { simProvider } from './__fixtures__/sim-provider';
import { expectOllamaName, type NameReading } from './model-name';
import type { OllamaProvider } from './provider';

const setup = simProvider();

function refusal(name: string, reading: NameReading = 'ref'): Error | undefined {
  try {
    expectOllamaName('request.model', name, reading);
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

describe("Ollama's model name grammar", () => {
  it.each([
    'llama3.2',
    'llama3.2:latest',
    'hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M',
    'registry.example.com:5000/team/model:v1.0',
    'localhost:11434/ns/m',
    'https://registry.example.com/ns/m:t',
    '_private/_m:_t',
    'gpt-oss:20b:cloud',
    'gpt-oss:20b-cloud',
    'qwen3:local',
    'Mixed.Case_Name-1',
    // Ollama 0.1.39 to 0.1.48 read a trailing digest.
    'llama3@sha256:0123abcd',
  ])('accepts %j', (name) => {
    expect(refusal(name)).toBeUndefined();
  });

  it.each([
    ['a\0', /model/],
    ['a b', /model/],
    ['-model', /model/],
    ['.model', /model/],
    ['ns.x/model', /namespace/],
    ['a/b/c/d', /host/],
    ['model:', /tag.*empty/],
    [':tag', /model.*empty/],
    ['ns/', /model.*empty/],
    ['model:tag/x', /namespace|model/],
    ['m'.repeat(81), /model/],
    [`m:${'t'.repeat(81)}`, /tag/],
    ['llama3é', /model/],
    ['m@', /model/],
  ])('refuses %j naming the part', (name, part) => {
    const error = refusal(name);
    expect(error).toBeInstanceOf(RangeError);
    expect(error?.message).toMatch(/^Expected `request\.model` to be a model name Ollama accepts/);
    expect(error?.message).toMatch(part);
  });

  it('reads a source suffix only where the server does (not for push, copy or a new name)', () => {
    // `m:t:cloud` is `m:t` from the cloud for chat; push and copy read `cloud` as the tag of `m:t`.
    expect(refusal('m:t:cloud', 'ref')).toBeUndefined();
    expect(refusal('m:t:cloud', 'pull')).toBeUndefined();
    expect(refusal('m:t:cloud', 'plain')).toBeInstanceOf(RangeError);
    // A tag of 80 characters with `-cloud` is pulled by that tag; chat takes the suffix off.
    const long = `m:${'t'.repeat(76)}-cloud`;
    expect(refusal(long, 'ref')).toBeUndefined();
    expect(refusal(long, 'plain')).toBeInstanceOf(RangeError);
    expect(refusal(`m:${'t'.repeat(80)}:cloud`, 'pull')).toBeInstanceOf(RangeError);
  });

  it('refuses both source suffixes at once, as Ollama does', () => {
    expect(refusal('m:cloud:local')?.message).toMatch(/one source suffix/);
    expect(refusal('m:cloud:local', 'plain')).toBeInstanceOf(RangeError);
  });
});

describe('every call that takes a model name refuses one Ollama cannot parse, sending nothing', () => {
  const bad = 'a\0';
  it.each([
    ['complete', 'request.model', (p) => p.complete({ model: bad, messages: [] })],
    ['generate', 'request.model', (p) => p.generate({ model: bad, prompt: 'hi' })],
    ['embed', 'request.model', (p) => p.embed({ model: bad, input: 'hi' })],
    ['pull', 'request.model', (p) => p.pull({ model: bad })],
    ['push', 'request.model', (p) => p.push({ model: bad })],
    ['show', 'model', (p) => p.show(bad)],
    ['modelInfo', 'model', (p) => p.modelInfo(bad)],
    ['deleteModel', 'model', (p) => p.deleteModel(bad)],
    ['copyModel source', 'request.source', (p) => p.copyModel({ source: bad, destination: 'b' })],
    [
      'copyModel destination',
      'request.destination',
      (p) => p.copyModel({ source: 'a', destination: 'x/y/z/w' }),
    ],
    ['create model', 'request.model', (p) => p.create({ model: bad, from: 'llama3.2' })],
    ['create from', 'request.from', (p) => p.create({ model: 'mine', from: 'ns/:t' })],
  ] as const satisfies ReadonlyArray<readonly [string, string, (p: OllamaProvider) => unknown]>)(
    '%s',
    async (_, field, call) => {
      const { sim, provider } = await setup();
      const error = await thrown(() => call(provider as never));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toContain(`\`${field}\``);
      expect(sim.requests).toHaveLength(0);
    },
  );

  it('sends the names Ollama takes: a Hugging Face repo, a registry with a port, `:cloud`', async () => {
    const { sim, provider } = await setup();
    for (const model of ['hf.co/user/repo:Q4_K_M', 'registry.local:5000/ns/m:t']) {
      await provider.copyModel({ source: 'llama3.2', destination: model });
    }
    await provider.show('gpt-oss:20b:cloud').catch(() => undefined);
    expect(sim.requests.map((r) => r.path)).toEqual(['/api/copy', '/api/copy', '/api/show']);
  });
});
