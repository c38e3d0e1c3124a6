// Failures counted by error code stay bounded (a custom transport may throw one code per request)
// and count a code named after Object.prototype's members like any other.

import { countFailureCode as countCode } from '@x/internal';
import { describe, expect, it } from 'vitest';
import { MAX_CODES, ModelRecords, OTHER } from './model-stats';
import { StatsRecorder } from './stats';

const failing = (code: string) => Object.assign(new Error('x'), { code });

describe('failures by code', () => {
  it("caps the provider's failuresByCode at MAX_CODES codes, the rest under other", () => {
    const stats = new StatsRecorder();
    for (let i = 0; i < MAX_CODES + 36; i++) stats.failed('m', failing(`ECUSTOM_${i}`));
    const byCode = stats.snapshot().failuresByCode;
    expect(Object.keys(byCode)).toHaveLength(MAX_CODES + 1);
    expect(byCode[OTHER]).toBe(36);
    expect(byCode.ECUSTOM_0).toBe(1);
    // a code seen before the cap keeps its own count
    stats.failed('m', failing('ECUSTOM_3'));
    expect(stats.snapshot().failuresByCode.ECUSTOM_3).toBe(2);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'counts the code %s as a code, in the totals and by model',
    (code) => {
      const stats = new StatsRecorder();
      for (let i = 0; i < 3; i++) stats.failed('m', failing(code));
      const snapshot = stats.snapshot();
      for (const byCode of [snapshot.failuresByCode, snapshot.byModel.m!.failuresByCode]) {
        expect(Object.hasOwn(byCode, code)).toBe(true);
        expect(Object.getOwnPropertyDescriptor(byCode, code)!.value).toBe(3);
        expect(Object.keys(byCode)).toEqual([code]);
        expect(Object.getPrototypeOf(byCode)).toBe(Object.prototype);
      }
      expect(JSON.parse(JSON.stringify(snapshot.failuresByCode))).toEqual(
        JSON.parse(`{"${code}":3}`),
      );
    },
  );

  it('countCode keeps a record of its own codes with one under other', () => {
    const records = new ModelRecords();
    const record = records.get('m');
    for (let i = 0; i < MAX_CODES; i++) record.failure(`E${i}`);
    record.failure('constructor');
    expect(record.failuresByCode[OTHER]).toBe(1);
    const by: Record<string, number> = {};
    countCode(by, '__proto__');
    expect(Object.keys(by)).toEqual(['__proto__']);
  });
});
