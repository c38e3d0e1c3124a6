import { describe, expect, it, vi } from 'vitest';
import { createCalibrator } from './calibrator';
import { countChatTokens } from './chat';
import { countTokensAsync, estimateTokensAsync, run } from './count-async';
import { countTokens } from './count-tokens';
import { estimateTokens } from './estimate';
import type { ChatMessage, ChatTool } from './types';

// Texts whose pieces and merges are the hard cases: multi-byte letters and emoji (a piece's
// bytes are not its characters), long runs of one character (one piece, the heap merge, paused
// every 4,096 merges), whitespace runs (tiktoken's `\s`, U+0085 included), digits in threes,
// special-token strings, and lengths either side of 4 Ki characters (counted at once below it).
const TEXTS = [
  'hello world, this is ordinary text. '.repeat(400),
  'a'.repeat(60_000),
  ' '.repeat(30_000) + 'x' + '\t \u0085 \n'.repeat(2_000),
  '😀'.repeat(5_000) + '👨‍👩‍👧‍👦'.repeat(1_000),
  '漢字かなカナ한국어 éàü '.repeat(1_500),
  '1234567890'.repeat(2_000) + '!?'.repeat(3_000),
  '<|endoftext|> text <|endofprompt|>'.repeat(300),
  'b'.repeat(4_095),
  'é'.repeat(4_096),
  `${'x'.repeat(5_000)}\r\n\r\n${'Ω'.repeat(5_000)}`,
];

describe('countTokensAsync', () => {
  it.each(['o200k_base', 'cl100k_base'] as const)(
    'counts as countTokens does (%s)',
    async (encoding) => {
      for (const text of TEXTS) {
        for (const allowSpecial of [false, true]) {
          const options = { encoding, allowSpecial };
          expect(await countTokensAsync(text, options)).toBe(countTokens(text, options));
        }
      }
    },
  );

  it('validates as countTokens does, and takes a signal', async () => {
    await expect(countTokensAsync(1 as never)).rejects.toThrow(TypeError);
    await expect(countTokensAsync('a', { modle: 'gpt-4o' } as never)).rejects.toThrow(/modle/);
    await expect(countTokensAsync('a', { signal: 'no' as never })).rejects.toThrow(/signal/);
    const reason = new Error('stop');
    await expect(countTokensAsync('a', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('lets timers run during the count of a long piece, and stops once aborted', async () => {
    countTokens('b'.repeat(300)); // loads the encoding and the long-piece table first
    const text = 'a'.repeat(1e6);
    const controller = new AbortController();
    const started = performance.now();
    let firedAt = Number.POSITIVE_INFINITY;
    setTimeout(() => {
      firedAt = performance.now() - started;
      controller.abort(new Error('enough'));
    }, 20);
    await expect(countTokensAsync(text, { signal: controller.signal })).rejects.toThrow('enough');
    const settled = performance.now() - started;
    // The synchronous count takes ~0.7 s idle (seconds under load); the timer ran long before.
    expect(firedAt).toBeLessThan(500);
    expect(settled - firedAt).toBeLessThan(300);
  });
});

describe('run', () => {
  it('runs no step once the signal aborted, and closes the steps', async () => {
    let steps = 0;
    let closed = false;
    function* busy(): Generator<undefined, number> {
      try {
        for (;;) {
          const until = performance.now() + 1;
          while (performance.now() < until);
          steps++;
          yield;
        }
      } finally {
        closed = true;
      }
    }
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(run(busy(), controller.signal)).rejects.toThrow('stop');
    const after = steps;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(steps).toBe(after);
    expect(closed).toBe(true);
  });
});

const tools: ChatTool[] = [
  {
    type: 'function',
    function: {
      name: 'lookup',
      description: 'Looks a word up. '.repeat(400),
      parameters: { type: 'object', properties: { word: { type: 'string' } } },
    },
  },
];

const chat: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: TEXTS[0]! },
  {
    role: 'assistant',
    content: '',
    tool_calls: [
      {
        id: 'c1',
        type: 'function',
        function: { name: 'lookup', arguments: JSON.stringify({ word: 'z'.repeat(9_000) }) },
      },
    ],
  },
  { role: 'tool', tool_call_id: 'c1', content: TEXTS[4]! },
  { role: 'user', content: [{ type: 'text', text: TEXTS[3]! }] },
];

describe('estimateTokensAsync', () => {
  it('estimates as estimateTokens does: texts, chats, tools, local models, far past the limit', async () => {
    const cases: [string | ChatMessage[], Parameters<typeof estimateTokens>[1]][] = [
      [TEXTS[2]!, { model: 'gpt-4o' }],
      [TEXTS[1]!, { model: 'gpt-4', tools }],
      [chat, { model: 'gpt-4o', tools }],
      [chat, { model: 'gpt-4-turbo' }],
      [chat, { model: 'gpt-oss:20b' }],
      [chat, { model: 'llama3.2', provider: 'ollama' }],
      ['a'.repeat(400_000), { model: 'gpt-4o', exactLimit: 10_000 }],
      ['a'.repeat(40_000), { model: 'gpt-4o', exactLimit: 10_000 }],
    ];
    for (const [input, options] of cases) {
      expect(await estimateTokensAsync(input, options)).toEqual(estimateTokens(input, options));
    }
  });

  it('leaves no placeholder in the memos, and counts at once again after it', async () => {
    const calibrator = createCalibrator();
    const messages: ChatMessage[] = [{ role: 'user', content: `${TEXTS[4]}!` }];
    const first = await estimateTokensAsync(messages, { model: 'gpt-4o', calibrator });
    expect(first.tokens).toBe(countChatTokens(messages, { model: 'gpt-4o' }));
    expect(estimateTokens(messages, { model: 'gpt-4o' })).toEqual(first);
    // A failing first pass (invalid messages) leaves counting as it was.
    await expect(estimateTokensAsync([{ role: 1 }] as never, { model: 'gpt-4o' })).rejects.toThrow(
      TypeError,
    );
    expect(countTokens('hello world')).toBe(2);
  });

  it('lets other counts run between its turns, undisturbed', async () => {
    let during: number | undefined;
    const timer = setTimeout(() => {
      during = countTokens('hello world');
    }, 5);
    const text = 'a'.repeat(300_000);
    const estimate = await estimateTokensAsync(text, { model: 'gpt-4o', exactLimit: 128_000 });
    clearTimeout(timer);
    expect(estimate).toMatchObject({ method: 'exact', tokens: countTokens(text) });
    expect(during).toBe(2);
  });

  it("reads the caller's getters before it defers any count: a count one makes is right", async () => {
    const seen: number[] = [];
    const big = 'word '.repeat(3000);
    const messages = [
      {
        role: 'user' as const,
        get content() {
          seen.push(countTokens('hello world', { encoding: 'o200k_base' }));
          return big;
        },
      },
    ];
    const got = await estimateTokensAsync(messages, { model: 'gpt-4o' });
    // Read once, when the chat is copied (before: 0 during the first pass, four reads in all).
    expect(seen).toEqual([2]);
    expect(got).toEqual(estimateTokens([{ role: 'user', content: big }], { model: 'gpt-4o' }));
  });

  it('rejects with the reason of an aborted signal, and validates its options', async () => {
    const reason = new Error('gone');
    const signal = AbortSignal.abort(reason);
    await expect(estimateTokensAsync('hi', { model: 'gpt-4o', signal })).rejects.toBe(reason);
    await expect(estimateTokensAsync('hi', { sginal: 1 } as never)).rejects.toThrow(/sginal/);
    await expect(estimateTokensAsync('hi', { signal: {} as never })).rejects.toThrow(/signal/);
  });

  it('lets an encoding-load listener count while it loads the encoding first', async () => {
    vi.resetModules();
    const fresh = await import('./index');
    const seen: number[] = [];
    const off = fresh.onEncodingLoad(() => seen.push(fresh.countTokens('hello world')));
    const text = 'a'.repeat(20_000);
    try {
      const estimate = await fresh.estimateTokensAsync(text, { model: 'gpt-4-turbo' });
      expect(estimate.tokens).toBe(countTokens(text, { model: 'gpt-4-turbo' }));
    } finally {
      off();
    }
    // cl100k_base for the estimate, then o200k_base for the listener's own count: never deferred.
    expect(seen).toEqual([2, 2]);
  });
});
