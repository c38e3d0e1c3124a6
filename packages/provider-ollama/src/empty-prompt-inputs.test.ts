// Ollama answers a generate with an empty prompt by loading the model (server/routes.go
// GenerateHandler), before it reads images, system, suffix, template or context: given beside
// no prompt, each would be dropped without a word, the answer an empty `finishReason: 'load'`.

import type { OllamaSim } from '@x/ollama-sim';
import { describe, expect, it } from 'vitest';
import { simProvider } from './__fixtures__/sim-provider';

const setup = simProvider();

// A model that can insert: the server reads `suffix` as an insert, not a missing capability.
const MODEL = 'qwen2.5:7b';

const generatesAt = (sim: OllamaSim) => sim.requests.filter((r) => r.path === '/api/generate');

const IGNORED: [string, unknown][] = [
  ['images', ['iVBORw0KGgo=']],
  ['system', 'Answer in French.'],
  ['suffix', '\n}'],
  ['template', '{{ .Prompt }}'],
  ['context', [1, 2, 3]],
];

describe('generate() without a prompt', () => {
  it.each(IGNORED)(
    'refuses %s beside no prompt, naming it, before sending',
    async (field, value) => {
      const { sim, provider } = await setup();
      const prompts: object[] = [{}, { prompt: '' }, { prompt: '', keepAlive: 0 }];
      for (const prompt of prompts) {
        const request = { model: MODEL, ...prompt, [field]: value };
        const attempts = [
          provider.generate(request as never),
          (async () => {
            for await (const _ of provider.streamGenerate(request as never));
          })(),
        ];
        for (const attempt of attempts) {
          const error = await attempt.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(RangeError);
          expect((error as Error).message).toMatch(
            new RegExp(
              `^Expected \`request\\.${field}\` to be unset or empty when \`prompt\` is empty \\(Ollama then only loads the model, ignoring it\\), got `,
            ),
          );
        }
      }
      expect(generatesAt(sim)).toHaveLength(0);
    },
  );

  it('still loads the model bare, or with each of them empty', async () => {
    const { sim, provider } = await setup();
    expect(await provider.generate({ model: MODEL })).toMatchObject({
      content: '',
      finishReason: 'load',
    });
    const empty = { images: [], system: '', suffix: '', template: '', context: [] };
    expect(await provider.generate({ model: MODEL, prompt: '', ...empty })).toMatchObject({
      finishReason: 'load',
    });
    expect(generatesAt(sim)).toHaveLength(2);
  });

  it('sends each of them beside a prompt', async () => {
    const { sim, provider } = await setup();
    for (const [field, value] of IGNORED) {
      await provider.generate({ model: MODEL, prompt: 'hi', [field]: value } as never);
    }
    expect(generatesAt(sim)).toHaveLength(IGNORED.length);
  });
});
