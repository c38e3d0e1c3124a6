import { undefinedOptionsRefused } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { type OllamaSim, startOllamaSim } from './sim';

describe('startOllamaSim options', () => {
  const cases: [string, object, ErrorConstructor, string][] = [
    [
      'a negative port',
      { port: -1 },
      RangeError,
      'Expected `port` to be an integer between 0 and 65535, got `-1` (number)',
    ],
    [
      'a string rate',
      { tokensPerSecond: 'fast' },
      TypeError,
      'Expected `tokensPerSecond` to be a finite number >= 0, or Infinity, got `"fast"` (string)',
    ],
    [
      'zero slots',
      { numParallel: 0 },
      RangeError,
      'Expected `numParallel` to be an integer between 1 and 1024, got `0` (number)',
    ],
    [
      'a model without a name',
      { models: [{}] },
      TypeError,
      'Expected `models[0].name` to be a non-empty string, got `undefined` (undefined)',
    ],
    [
      'an unknown capability',
      { models: [{ name: 'm', capabilities: ['flying'] }] },
      TypeError,
      'Expected `models[0].capabilities` to be an array of completion, tools, insert, vision, embedding, thinking, audio, image, got `["flying"]` (array)',
    ],
    [
      'an unknown chat template',
      { models: [{ name: 'm', chatTemplate: 'jinja' }] },
      RangeError,
      'Expected `models[0].chatTemplate` to be one of "ollama", "gguf", got `"jinja"` (string)',
    ],
    [
      'an unknown tool call chunking',
      { v1ToolCalls: 'pieces' },
      RangeError,
      'Expected `v1ToolCalls` to be one of "whole", "split", got `"pieces"` (string)',
    ],
    [
      'no parallel tool calls',
      { toolCalls: { parallel: 0 } },
      RangeError,
      'Expected `toolCalls.parallel` to be an integer between 1 and 64, got `0` (number)',
    ],
    [
      'tool call ids that are not a boolean',
      { toolCalls: { ids: 'no' } },
      TypeError,
      'Expected `toolCalls.ids` to be a boolean, got `"no"` (string)',
    ],
    [
      'two models with one name',
      { models: [{ name: 'a' }, { name: 'A:latest' }] },
      RangeError,
      'Expected `models[1].name` to be a name not used by another model, got `"A:latest"` (string)',
    ],
    [
      'an inverted token range',
      { responseTokens: { min: 10, max: 5 } },
      RangeError,
      'Expected `responseTokens.max` to be an integer between 10 and 1000000, got `5` (number)',
    ],
    [
      'a probability above 1',
      { faults: [{ fault: { kind: 'latency', ms: 1 }, probability: 2 }] },
      RangeError,
      'Expected `faults[0].probability` to be a finite number between 0 and 1, got `2` (number)',
    ],
    [
      'a rule with both sequence and fault',
      { faults: [{ fault: { kind: 'latency', ms: 1 }, sequence: [] }] },
      TypeError,
      'Expected `faults[0]` to be a rule with exactly one of `sequence` and `fault`, got `{"fault":{"kind":"latency","ms":1},"sequence":[]}` (object)',
    ],
    [
      'a split without offsets',
      { faults: [{ fault: { kind: 'split' } }] },
      TypeError,
      'Expected `faults[0].fault.at` to be an array of byte offsets (or `every`), got `undefined` (undefined)',
    ],
    [
      'an inverted latency range',
      { faults: [{ fault: { kind: 'latency', ms: { min: 5, max: 1 } } }] },
      RangeError,
      'Expected `faults[0].fault.ms.max` to be a number >= min (5), got `1` (number)',
    ],
  ];
  for (const [name, options, Type, message] of cases) {
    it(`throws ${Type.name} when given ${name}`, async () => {
      await expect(startOllamaSim(options as never)).rejects.toThrow(new Type(message));
    });
  }

  it('refuses null where undefined means the default, naming the option', async () => {
    for (const name of [
      'host',
      'version',
      'models',
      'responseTokens',
      'fixtures',
      'keepAliveMs',
      'faults',
      'v1ToolCalls',
    ]) {
      const error = await startOllamaSim({ [name]: null } as never).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(TypeError);
      expect((error as Error).message, name).toMatch(new RegExp(`^Expected \`${name}(\\[|\`)`));
      expect((error as Error).message, name).toContain('got `null` (null)');
    }
  });

  it('refuses a version with a control character (NUL, a line break) as a RangeError', async () => {
    for (const version of ['0.1\u0000', '0.1\nX-Evil: 1', '\t0.1', '0.1\u007f']) {
      const error = await startOllamaSim({ version }).catch((e: unknown) => e);
      expect(error, JSON.stringify(version)).toBeInstanceOf(RangeError);
      expect((error as Error).message).toMatch(
        /^Expected `version` to be a version without control/,
      );
    }
  });

  it('treats tokensPerSecond 0 as no delay', async () => {
    const sim = await startOllamaSim({
      tokensPerSecond: 0,
      models: [{ name: 'm', tokensPerSecond: 0 }],
    });
    try {
      const res = await fetch(`${sim.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'm', prompt: 'x', stream: false }),
      });
      expect(res.status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('rejects with the signal reason when the signal is already aborted', async () => {
    const reason = new Error('stop');
    await expect(startOllamaSim({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('throws a ListenError with the port when the port is taken', async () => {
    const a = await startOllamaSim();
    try {
      await expect(startOllamaSim({ port: a.port })).rejects.toMatchObject({
        name: 'ListenError',
        code: 'X_OLLAMA_SIM_LISTEN_FAILED',
        port: a.port,
      });
    } finally {
      await a.close();
    }
  });

  const unknown: [string, object, string][] = [
    [
      'a misspelt option',
      { tokensPerSec: 1 },
      'Unknown option `tokensPerSec`: did you mean `tokensPerSecond`?',
    ],
    [
      'a misspelt model field',
      { models: [{ name: 'm', contextLen: 8192 }] },
      'Unknown option `models[0].contextLen`: did you mean `models[0].contextLength`?',
    ],
    [
      'a misspelt toolCalls field',
      { toolCalls: { paralel: 2 } },
      'Unknown option `toolCalls.paralel`: did you mean `toolCalls.parallel`?',
    ],
    [
      'a misspelt responseTokens field',
      { responseTokens: { min: 1, maximum: 4 } },
      'Unknown option `responseTokens.maximum`: did you mean `responseTokens.max`?',
    ],
    [
      'a misspelt fault field',
      { faults: [{ fault: { kind: 'stall', msec: 10 } }] },
      'Unknown option `faults[0].fault.msec`: did you mean `faults[0].fault.ms`?',
    ],
    [
      'a misspelt rule field',
      { faults: [{ rout: '/api/chat', fault: { kind: 'destroy' } }] },
      'Unknown option `faults[0].rout`: did you mean `faults[0].route`?',
    ],
    [
      'a misspelt plan field',
      { faults: { rules: [], sead: 1 } },
      'Unknown option `faults.sead`: did you mean `faults.seed`?',
    ],
    [
      'a field of another fault kind',
      { faults: [{ fault: { kind: 'destroy', ms: 10 } }] },
      'Unknown option `faults[0].fault.ms`: known keys: `kind`, `afterChunks`',
    ],
  ];
  for (const [name, options, message] of unknown) {
    it(`throws a TypeError naming the key and the closest known one when given ${name}`, async () => {
      await expect(startOllamaSim(options as never)).rejects.toThrow(new TypeError(message));
    });
  }

  it('throws the same TypeError from setFaults for a misspelt fault field', async () => {
    await using sim = await startOllamaSim();
    expect(() => sim.setFaults([{ fault: { kind: 'latency', msec: 5 } as never }])).toThrow(
      new TypeError('Unknown option `faults[0].fault.msec`: did you mean `faults[0].fault.ms`?'),
    );
  });

  it('names the path the caller wrote: faults[0] in the array shorthand, faults.rules[0] in a plan', async () => {
    const rule = { route: '/api/chat', fault: { kind: 'stall', msec: 10 } } as never;
    const inArray = new TypeError(
      'Unknown option `faults[0].fault.msec`: did you mean `faults[0].fault.ms`?',
    );
    const inPlan = new TypeError(
      'Unknown option `faults.rules[0].fault.msec`: did you mean `faults.rules[0].fault.ms`?',
    );
    await expect(startOllamaSim({ faults: [rule] })).rejects.toThrow(inArray);
    await expect(startOllamaSim({ faults: { rules: [rule] } })).rejects.toThrow(inPlan);
    await using sim = await startOllamaSim();
    expect(() => sim.setFaults([rule])).toThrow(inArray);
    expect(() => sim.setFaults({ rules: [rule] })).toThrow(inPlan);
    expect(() => sim.setFaults({ rulse: [rule] } as never)).toThrow(
      new TypeError('Unknown option `faults.rulse`: did you mean `faults.rules`?'),
    );
    expect(() => sim.setFaults({ seed: 1 } as never)).toThrow(
      new TypeError(
        'Expected `faults.rules` to be an array of fault rules, got `undefined` (undefined)',
      ),
    );
  });

  const tooLong = 2 ** 31;
  const durations: [string, object][] = [
    ['loadTimeMs', { loadTimeMs: tooLong }],
    ['models[0].loadTimeMs', { models: [{ name: 'm', loadTimeMs: tooLong }] }],
    ['faults[0].fault.ms', { faults: [{ fault: { kind: 'latency', ms: tooLong } }] }],
    [
      'faults[0].fault.ms.max',
      { faults: [{ fault: { kind: 'latency', ms: { min: 0, max: tooLong } } }] },
    ],
    [
      'faults[0].fault.ms.mean',
      {
        faults: [
          { fault: { kind: 'latency', ms: { distribution: 'exponential', mean: tooLong } } },
        ],
      },
    ],
    ['faults[0].fault.ms', { faults: [{ fault: { kind: 'stall', ms: tooLong } }] }],
    ['faults[0].fault.ms', { faults: [{ fault: { kind: 'slow-headers', ms: tooLong } }] }],
    ['faults[0].sequence[0].ms', { faults: [{ sequence: [{ kind: 'refuse', ms: tooLong }] }] }],
    ['faults[0].fault.gapMs', { faults: [{ fault: { kind: 'split', every: 4, gapMs: tooLong } }] }],
  ];
  for (const [field, options] of durations) {
    it(`throws a RangeError naming ${field} when a delay exceeds 2^31-1 ms`, async () => {
      await expect(startOllamaSim(options as never)).rejects.toThrow(
        new RangeError(
          `Expected \`${field}\` to be a finite number between 0 and 2147483647, got \`2147483648\` (number)`,
        ),
      );
    });
  }
});

describe('OllamaSim[Symbol.asyncDispose]', () => {
  it('closes the simulator when an `await using` scope ends', async () => {
    let kept: OllamaSim | undefined;
    {
      await using sim = await startOllamaSim();
      kept = sim;
      expect((await fetch(`${sim.url}/api/version`)).status).toBe(200);
    }
    expect(kept.stats().listening).toBe(false);
    await expect(fetch(`${kept.url}/api/version`)).rejects.toThrow();
    expect(() => kept.setFaults([])).toThrow(
      expect.objectContaining({ code: 'X_OLLAMA_SIM_CLOSED' }),
    );
  });
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for every option startOllamaSim accepts', async () => {
    expect(
      await undefinedOptionsRefused(
        (o) => startOllamaSim(o),
        {},
        async (s) => (await s).close(),
      ),
    ).toEqual([]);
  });
});
