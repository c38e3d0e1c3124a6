import { describe, expect, it } from 'vitest';
import { MAX_MODEL_NAME, MAX_MODELS, OVERFLOW_MODEL } from './model-labels';
import { MAX_CODES, ModelRecords, OTHER } from './model-stats';

describe('ModelRecords', () => {
  it('gives the first 256 models their own record and folds the rest into (other)', () => {
    const records = new ModelRecords();
    for (let i = 0; i < MAX_MODELS + 50; i++) records.get(`model-${i}`).requests++;
    const names = [...records.entries()].map(([name]) => name);
    expect(names).toHaveLength(MAX_MODELS + 1);
    expect(names).toContain('model-255');
    expect(names).not.toContain('model-256');
    expect(names).toContain(OVERFLOW_MODEL);
    expect(records.get(OVERFLOW_MODEL).requests).toBe(50);
    // A model seen before the cap keeps its own record.
    records.get('model-3').requests++;
    expect(records.get('model-3').requests).toBe(2);
  });

  it('counts a real model named other among the 256, apart from the overflow', () => {
    const records = new ModelRecords();
    records.get('other').requests++;
    for (let i = 0; i < MAX_MODELS + 5; i++) records.get(`model-${i}`).requests++;
    const byName = new Map(records.entries());
    expect(byName.get('other')!.requests).toBe(1);
    // `other` took one of the 256 places: 6 models past them share the overflow.
    expect(byName.get(OVERFLOW_MODEL)!.requests).toBe(6);
    expect(byName.size).toBe(MAX_MODELS + 1);
  });

  it('gives names told apart only by lone surrogates one record, as they render alike', () => {
    const records = new ModelRecords();
    records.get('m\uD800').requests++;
    records.get('m\uD801').requests += 3;
    expect([...records.entries()].map(([name, record]) => [name, record.requests])).toEqual([
      ['m\uFFFD', 4],
    ]);
  });

  it('folds a name longer than any model into the overflow, bounding what a scrape holds', () => {
    const records = new ModelRecords();
    records.get('m'.repeat(MAX_MODEL_NAME)).requests++;
    for (let i = 0; i < 40; i++) records.get(`${i}`.padEnd(1024 * 1024, 'x')).requests++;
    const names = [...records.entries()].map(([name]) => name);
    expect(names).toEqual(['m'.repeat(MAX_MODEL_NAME), OVERFLOW_MODEL]);
    expect(records.get(OVERFLOW_MODEL).requests).toBe(40);
  });

  it('records a call without a model under the empty name', () => {
    const records = new ModelRecords();
    records.get(undefined).attempts++;
    expect(records.get('').attempts).toBe(1);
  });

  it('folds error codes past the cap into other', () => {
    const record = new ModelRecords().get('m');
    for (let i = 0; i < MAX_CODES + 3; i++) record.failure(`X_CODE_${i}`);
    record.failure('X_CODE_0');
    expect(Object.keys(record.failuresByCode)).toHaveLength(MAX_CODES + 1);
    expect(record.failuresByCode[OTHER]).toBe(3);
    expect(record.failuresByCode.X_CODE_0).toBe(2);
    expect(record.failures).toBe(MAX_CODES + 4);
  });
});
