import { describe, expect, it } from 'vitest';
import { countChatTokens } from './chat';
import { estimateTokensAsync } from './count-async';
import { countTokens } from './count-tokens';
import { estimateTokens } from './estimate';
import type { ChatMessage } from './types';

// The chat `estimateTokensAsync` is given is read before its counts are deferred, and read the
// way `estimateTokens` reads it: the same estimate for messages that are not plain data.

const LONG = 'hello there, how are you doing today? '.repeat(500);

class Message {
  readonly #role: string;
  readonly #content: string;
  constructor(role: string, content: string) {
    this.#role = role;
    this.#content = content;
  }
  get role(): string {
    return this.#role;
  }
  get content(): string {
    return this.#content;
  }
}

describe('estimateTokensAsync reads the chat as estimateTokens does', () => {
  it('takes messages whose fields are getters of their class', async () => {
    const chat = [new Message('user', LONG)] as unknown as ChatMessage[];
    const sync = estimateTokens(chat, { model: 'gpt-4o' });
    // billed as the plain message with the same fields, by both the estimate and the exact count
    expect(sync).toEqual(estimateTokens([{ role: 'user', content: LONG }], { model: 'gpt-4o' }));
    expect(countChatTokens(chat, { model: 'gpt-4o' })).toBe(
      countChatTokens([{ role: 'user', content: LONG }], { model: 'gpt-4o' }),
    );
    await expect(estimateTokensAsync(chat, { model: 'gpt-4o' })).resolves.toEqual(sync);
  });

  it('bills the same own fields of a class instance as estimateTokens', async () => {
    // An own field besides the getters: billed by both (own enumerable strings are billed).
    class Tagged extends Message {
      readonly tag = 'support-ticket-4711';
    }
    const chat = [new Tagged('user', LONG)] as unknown as ChatMessage[];
    const sync = estimateTokens(chat, { model: 'gpt-4o' });
    await expect(estimateTokensAsync(chat, { model: 'gpt-4o' })).resolves.toEqual(sync);
  });

  it('reads a Proxy once, before deferring: a count its trap makes is right', async () => {
    const seen: number[] = [];
    const target = { role: 'user', content: 'word '.repeat(3000) };
    const message = new Proxy(target, {
      get(object, key, receiver) {
        if (key === 'content') seen.push(countTokens('hello world'));
        return Reflect.get(object, key, receiver);
      },
    });
    const got = await estimateTokensAsync([message], { model: 'gpt-4o' });
    expect(seen).toEqual([2]);
    expect(got).toEqual(estimateTokens([target], { model: 'gpt-4o' }));
  });

  it('leaves out a function a message holds, and still reads its getters first', async () => {
    const seen: number[] = [];
    const big = 'word '.repeat(3000);
    const message = {
      role: 'user',
      get content() {
        seen.push(countTokens('hello world'));
        return big;
      },
      format: () => 'not billed',
    };
    const got = await estimateTokensAsync([message] as ChatMessage[], { model: 'gpt-4o' });
    expect(seen).toEqual([2]);
    expect(got).toEqual(estimateTokens([{ role: 'user', content: big }], { model: 'gpt-4o' }));
  });

  it('meets a throwing getter where estimateTokens meets it', async () => {
    const message = {
      role: 'user',
      get content(): string {
        throw new Error('no content today');
      },
    };
    expect(() => estimateTokens([message], { model: 'gpt-4o' })).toThrow('no content today');
    await expect(estimateTokensAsync([message], { model: 'gpt-4o' })).rejects.toThrow(
      'no content today',
    );
  });

  it('copies a chat with a cycle in it without looping', async () => {
    const meta: Record<string, unknown> = { note: 'x' };
    meta.self = meta;
    const chat = [{ role: 'user', content: LONG, meta }] as ChatMessage[];
    await expect(estimateTokensAsync(chat, { model: 'gpt-4o' })).resolves.toEqual(
      estimateTokens(chat, { model: 'gpt-4o' }),
    );
  });

  it('counts what has a toJSON of its own (a URL, a Date, a class) as JSON writes it', async () => {
    class Money {
      toJSON(): string {
        return `EUR ${'9'.repeat(120)}`;
      }
    }
    const link = new URL('https://example.com/some/long/path/with/segments?and=query&more=yes');
    const chat = [
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'a', name: 'f', arguments: { link, price: new Money(), at: new Date(0) } },
        ],
      },
    ] as ChatMessage[];
    const sync = estimateTokens(chat, { model: 'gpt-4o' });
    await expect(estimateTokensAsync(chat, { model: 'gpt-4o' })).resolves.toEqual(sync);
  });

  it('runs no getter the count does not read (a lazy relation stays unread)', async () => {
    let loaded = 0;
    class Entity {
      get role(): string {
        return 'user';
      }
      get content(): string {
        return LONG;
      }
      get author(): string {
        loaded++;
        return 'a row loaded from the database';
      }
    }
    const chat = [new Entity()] as unknown as ChatMessage[];
    const sync = estimateTokens(chat, { model: 'gpt-4o' });
    await expect(estimateTokensAsync(chat, { model: 'gpt-4o' })).resolves.toEqual(sync);
    expect(loaded).toBe(0);
  });

  it('refuses arguments too deep to copy as estimateTokens does, not with a stack overflow', async () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    const chat = [
      { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 'f', arguments: deep }] },
    ] as ChatMessage[];
    expect(() => estimateTokens(chat, { model: 'gpt-4o' })).toThrow(TypeError);
    await expect(estimateTokensAsync(chat, { model: 'gpt-4o' })).rejects.toThrow(TypeError);
  });

  it('bills a tool result that is a class instance as the plain one (o200k_base results)', async () => {
    class Result {
      get role(): string {
        return 'tool';
      }
      get content(): string {
        return LONG;
      }
      get toolName(): string {
        return 'lookup_weather';
      }
    }
    const call = {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'c1', name: 'lookup_weather', arguments: { city: 'Paris' } }],
    };
    const plain = [call, { role: 'tool', content: LONG, toolName: 'lookup_weather' }];
    const classy = [call, new Result()] as unknown as ChatMessage[];
    const want = countChatTokens(plain as ChatMessage[], { model: 'gpt-4o' });
    expect(countChatTokens(classy, { model: 'gpt-4o' })).toBe(want);
    await expect(estimateTokensAsync(classy, { model: 'gpt-4o' })).resolves.toEqual(
      estimateTokens(plain as ChatMessage[], { model: 'gpt-4o' }),
    );
  });
});
