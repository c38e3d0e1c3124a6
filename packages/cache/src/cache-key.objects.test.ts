import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createCache } from './cache';
import { cacheKey } from './cache-key';
import { isCacheKeyError } from './errors';

class Msg {
  #content: string;
  constructor(content: string) {
    this.#content = content;
  }
  get role(): string {
    return 'user';
  }
  get content(): string {
    return this.#content;
  }
}

/** Its data is only in a private field: no own field, no getter, no toJSON. */
class Query {
  #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  text(): string {
    return this.#text;
  }
}

function keyError(request: object): Error {
  try {
    cacheKey(request);
  } catch (error) {
    expect(isCacheKeyError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('no error');
}

describe('cacheKey with objects whose own fields are not what they hold', () => {
  it('refuses a message with getters, naming its path, where it keyed every one as {}', async () => {
    expect(keyError({ model: 'gpt-4o', messages: [new Msg('cats')] }).message).toMatch(
      /^Expected `request\.messages\[0\]` to be data the key can read \(.*\), got a Msg instance$/,
    );
    const cache = createCache({ strategy: 'aggressive' });
    const ask = (q: string) =>
      cache.getOrLoad({ model: 'gpt-4o', messages: [new Msg(q)], temperature: 0 }, async () => q);
    await expect(ask('cats')).rejects.toSatisfy(isCacheKeyError);
    await expect(ask('dogs')).rejects.toSatisfy(isCacheKeyError);
    expect(cache.size).toBe(0);
  });

  it('refuses a Map and a Set at any depth, and a request that is a class with getters', () => {
    expect(keyError({ model: 'x', options: { 'a b': new Map([['seed', 1]]) } }).message).toMatch(
      /^Expected `request\.options\["a b"\]` .*, got a Map \(size 1\)$/,
    );
    expect(keyError({ model: 'x', stop: [new Set(['a'])] }).message).toMatch(
      /^Expected `request\.stop\[0\]` .*, got a Set \(size 1\)$/,
    );
    class Request {
      model = 'x';
      get messages(): unknown[] {
        return [];
      }
    }
    expect(keyError(new Request()).message).toMatch(
      /^Expected `request` .*, got a Request instance$/,
    );
  });

  it('refuses an instance whose data is only in private fields, saying what to do', () => {
    expect(
      keyError({ model: 'x', messages: [{ role: 'user', content: new Query('cats') }] }).message,
    ).toBe(
      'Expected `request.messages[0].content` to be data the key can read (a plain object, an array, bytes, an object with a toJSON method, or a class instance whose own fields are what it holds: no Map, no Set, no getters), got a Query instance, which has no own fields the key can read (private `#fields` cannot be read): give its class a toJSON() method, or pass its fields as an object literal',
    );
    expect(keyError(new Query('cats')).message).toMatch(
      /^Expected `request` .*, got a Query instance, which has no own fields .*: give its class a toJSON\(\) method, or pass its fields as an object literal$/,
    );
  });

  it('refuses it through the cache too, where two queries shared one answer', async () => {
    const cache = createCache({ strategy: 'aggressive' });
    expect(() => cache.key({ model: 'x', input: new Query('cats') })).toThrow(
      /^Expected `request\.input` .*, got a Query instance, which has no own fields/,
    );
    const ask = (q: string) =>
      cache.getOrLoad({ model: 'x', prompt: new Query(q), temperature: 0 }, async () => q);
    await expect(ask('cats')).rejects.toSatisfy(isCacheKeyError);
    await expect(ask('dogs')).rejects.toSatisfy(isCacheKeyError);
    expect(cache.size).toBe(0);
  });

  it('keeps keying instances with own fields by them, and empty objects with no class', () => {
    class Part {
      #lang = 'en';
      constructor(readonly text: string) {}
      lang(): string {
        return this.#lang;
      }
    }
    expect(cacheKey({ model: 'x', parts: [new Part('cats')] })).toBe(
      cacheKey({ model: 'x', parts: [{ text: 'cats' }] }),
    );
    expect(cacheKey({ model: 'x', parts: [new Part('cats')] })).not.toBe(
      cacheKey({ model: 'x', parts: [new Part('dogs')] }),
    );
    const empty = cacheKey({ model: 'x', options: {} });
    expect(cacheKey({ model: 'x', options: Object.create(null) })).toBe(empty);
    expect(cacheKey({ model: 'x', options: runInNewContext('({})') })).toBe(empty);
  });

  it('keys an instance with no own fields and no methods as `{}`, what JSON sends of it', () => {
    // A data class whose optional fields are unset: TypeScript below ES2022 defines none.
    function GenOptions(this: object) {}
    const unset = new (GenOptions as unknown as new () => object)();
    const empty = cacheKey({ model: 'x', options: {} });
    expect(JSON.stringify(unset)).toBe('{}');
    expect(cacheKey({ model: 'x', options: unset })).toBe(empty);
    // data on the prototype is not sent either
    expect(cacheKey({ model: 'x', options: Object.create({ temperature: 0.2 }) })).toBe(empty);
  });

  it('keys a class with a toJSON by what it returns, and plain objects of another realm', () => {
    class Json extends Msg {
      toJSON() {
        return { role: this.role, content: this.content };
      }
    }
    expect(cacheKey({ model: 'x', messages: [new Json('cats')] })).toBe(
      cacheKey({ model: 'x', messages: [{ role: 'user', content: 'cats' }] }),
    );
    const foreign = runInNewContext('({ model: "x", options: { seed: 1 } })');
    expect(cacheKey(foreign)).toBe(cacheKey({ model: 'x', options: { seed: 1 } }));
  });

  it('keys an ArrayBuffer of another realm by its bytes, as one of this realm', () => {
    const foreign = (bytes: string) => runInNewContext(`new Uint8Array([${bytes}]).buffer`);
    const key = (buffer: unknown) => cacheKey({ model: 'x', images: [buffer] });
    expect(key(foreign('1, 2'))).toBe(key(new Uint8Array([1, 2]).buffer));
    expect(key(foreign('1, 2'))).not.toBe(key(foreign('3, 4')));
  });
});
