import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { expectPlainArgument } from './plain-argument';
import * as check from './validate';

// Valid input that is not plain: a class instance where a plain object is read, bytes of another
// realm, an empty stop sequence.

class Msg {
  #content: string;
  constructor(content: string) {
    this.#content = content;
  }
  get role() {
    return 'user';
  }
  get content() {
    return this.#content;
  }
  _r = 1;
}

describe('a class instance where a plain object is read', () => {
  it('names the class a message is an instance of, not its JSON', () => {
    let error: unknown;
    try {
      check.expectChatMessage('request.messages[0]', new Msg('hi'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      'Expected `request.messages[0]` to be a plain object with `role` and `content` (its own fields are what is read and sent), not an instance of class Msg: copy the fields into an object literal',
    );
  });

  it('says a Map is one, and takes an object literal of another realm as plain', () => {
    expect(() => expectPlainArgument('request', new Map(), 'with `model`')).toThrow(
      /to be a plain object with `model` .*, not an instance of class Map/,
    );
    const other = vm.runInNewContext('({ model: "m" })');
    expect(() => expectPlainArgument('request', other, 'with `model`')).not.toThrow();
  });

  it('keeps the house wording for what is not an object at all', () => {
    expect(() => expectPlainArgument('request', [], 'with `model`')).toThrow(
      new TypeError('Expected `request` to be an object with `model`, got `[]` (array)'),
    );
    expect(() => expectPlainArgument('request', 'x', 'with `model`')).toThrow(
      new TypeError('Expected `request` to be an object with `model`, got `"x"` (string)'),
    );
    expect(() => expectPlainArgument('request', { model: 'm' }, 'with `model`')).not.toThrow();
    expect(() => expectPlainArgument('request', Object.create(null), '')).not.toThrow();
  });
});

describe('bytes of another realm', () => {
  it('takes a Uint8Array made in a vm context as an image', () => {
    const bytes = vm.runInNewContext('new Uint8Array([1, 2, 3])');
    expect(bytes instanceof Uint8Array).toBe(false);
    expect(() => check.optionalImages('request.messages[0].images', [bytes])).not.toThrow();
  });
});

describe('an empty stop sequence', () => {
  it('is a RangeError naming its index, with the reason', () => {
    expect(() => check.optionalStop('request.stop', ['a', ''])).toThrow(
      new RangeError(
        'Expected `request.stop[1]` to be a non-empty string (an empty stop sequence matches at once: no answer), got `""` (string)',
      ),
    );
  });

  it('is refused given alone', () => {
    expect(() => check.optionalStop('request.stop', '')).toThrow(RangeError);
    expect(() => check.optionalStop('request.stop', 'a')).not.toThrow();
    expect(() => check.optionalStop('request.stop', ['a', 'b'])).not.toThrow();
  });
});
