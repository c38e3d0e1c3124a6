import { undefinedOptionsRefused } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createCalibrator } from './calibrator';
import { countChatTokens } from './chat';
import { fitsContext } from './context';
import { estimateCost } from './cost';
import { countTokens } from './count-tokens';
import { loadEncoding } from './encodings';
import { estimateTokens } from './estimate';
import { registerModel } from './models';

describe('options objects', () => {
  const model = 'gpt-4o';
  const cases: [string, () => unknown, string][] = [
    [
      'countTokens',
      () => countTokens('x', { modle: model } as never),
      '`modle`: did you mean `model`?',
    ],
    [
      'countTokens',
      () => countTokens('x', { model, allowSpecials: true } as never),
      '`allowSpecials`: did you mean `allowSpecial`?',
    ],
    [
      'countChatTokens',
      () => countChatTokens([], { model, tool: [] } as never),
      '`tool`: did you mean `tools`?',
    ],
    [
      'estimateTokens',
      () => estimateTokens('x', { model, calibrater: createCalibrator() } as never),
      '`calibrater`: did you mean `calibrator`?',
    ],
    [
      'fitsContext',
      () => fitsContext('x', { model, contextWindw: 10 } as never),
      '`contextWindw`: did you mean `contextWindow`?',
    ],
    [
      'estimateCost',
      () => estimateCost({ model, inputToken: 10 } as never),
      '`inputToken`: did you mean `inputTokens`?',
    ],
    [
      'createCalibrator',
      () => createCalibrator({ windw: 10 } as never),
      '`windw`: did you mean `window`?',
    ],
    [
      'calibrator.observe',
      () => createCalibrator().observe({ model, input: 'x', actualToken: 3 } as never),
      '`observation.actualToken`: did you mean `observation.actualTokens`?',
    ],
    [
      'registerModel',
      () => registerModel({ id: 'a', provider: 'openai', contextWindows: 10 } as never),
      '`contextWindows`: did you mean `contextWindow`?',
    ],
    [
      'registerModel pricing',
      () =>
        registerModel({
          id: 'a',
          provider: 'openai',
          contextWindow: 10,
          pricing: { inptu: 1, output: 1 },
        } as never),
      '`pricing.inptu`: did you mean `pricing.input`?',
    ],
  ];

  it.each(cases)(
    '%s throws a TypeError naming an unknown key and the closest known one',
    (_, call, hint) => {
      expect(call).toThrow(TypeError);
      expect(call).toThrow(`Unknown option ${hint}`);
    },
  );

  it('loadEncoding rejects with a TypeError naming an unknown key', async () => {
    await expect(loadEncoding('o200k_base', { sigal: undefined } as never)).rejects.toThrow(
      new TypeError('Unknown option `sigal`: did you mean `signal`?'),
    );
  });

  it('lists the known keys when no key is close', () => {
    expect(() => countTokens('x', { zzzzzzzz: 1 } as never)).toThrow(
      'Unknown option `zzzzzzzz`: known keys: `model`, `encoding`, `allowSpecial`',
    );
  });

  it('refuses an options value that is not a plain object', () => {
    expect(() => estimateTokens('x', [] as never)).toThrow(
      new TypeError('Expected `options` to be an object, got `[]` (array)'),
    );
    expect(() => countTokens('x', 'gpt-4o' as never)).toThrow(TypeError);
  });

  it('countTokens refuses options that are an array, a Map or a class instance, as estimateTokens does', () => {
    for (const options of [
      [],
      new Map([['model', 'gpt-4']]),
      new (class {
        model = 'gpt-4';
      })(),
    ]) {
      expect(() => countTokens('x', options as never)).toThrow(
        /^Expected `options` to be an object, got (`\[\]` \(array\)|a Map \(size 1\)|a class instance)$/,
      );
      expect(() => estimateTokens('x', options as never)).toThrow(TypeError);
    }
    // an object without prototype is a plain object: read on to its (here unknown) encoding
    expect(() =>
      countTokens('x', Object.assign(Object.create(null), { encoding: 'o999k_base' })),
    ).toThrow(/^Expected `encoding` to be one of/);
  });
});

describe('an option set to null', () => {
  it.each(['maxModels', 'window', 'minObservations', 'maxOverheadTokens', 'logger'])(
    'createCalibrator throws a TypeError naming %s (only undefined means the default)',
    (name) => {
      const attempt = () => createCalibrator({ [name]: null } as never);
      expect(attempt).toThrow(TypeError);
      expect(attempt).toThrow(
        new RegExp(`^Expected \`${name}\` to be .*, got \`null\` \\(null\\)$`),
      );
    },
  );
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for every option createCalibrator accepts', async () => {
    expect(await undefinedOptionsRefused((o) => createCalibrator(o), {})).toEqual([]);
  });
});
