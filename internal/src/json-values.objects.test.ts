import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { expectJsonValues } from './json-values';

const DATA =
  'to be a JSON value (a plain object or an array, or an object with a toJSON method; it is sent as JSON)';

class Loc {
  get city(): string {
    return 'Paris';
  }
}

describe('expectJsonValues with objects JSON would write as {}', () => {
  it('refuses a Map, a Set, a class instance and a typed array by path, naming what it is', () => {
    const schema = { type: 'object', properties: new Map([['city', { type: 'string' }]]) };
    expect(() => expectJsonValues('request.format', schema)).toThrow(
      new TypeError(`Expected \`request.format.properties\` ${DATA}, got a Map (size 1)`),
    );
    expect(() => expectJsonValues('extraBody', { guided: [new Set([1, 2])] })).toThrow(
      `Expected \`extraBody.guided[0]\` ${DATA}, got a Set (size 2)`,
    );
    expect(() => expectJsonValues('arguments', { loc: new Loc() })).toThrow(
      `Expected \`arguments.loc\` ${DATA}, got a Loc instance`,
    );
    expect(() => expectJsonValues('p', new Uint8Array(3))).toThrow(
      `Expected \`p\` ${DATA}, got a Uint8Array (3 bytes)`,
    );
  });

  it('accepts plain objects of any realm, null-prototype objects and toJSON objects', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    const foreign = runInNewContext('({ type: "object", properties: { a: { type: "string" } } })');
    const withJson = new (class Schema {
      toJSON() {
        return { type: 'string' };
      }
    })();
    expect(() =>
      expectJsonValues('p', { bare, foreign, withJson, when: new Date(0) }),
    ).not.toThrow();
    expect(() => expectJsonValues('p', foreign)).not.toThrow();
  });
});
