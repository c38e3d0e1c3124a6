import { describe, expect, it } from 'vitest';
import { MAX_CODES, MAX_MODELS, ModelRecords, OTHER } from './model-stats';

describe('ModelRecords', () => {
  it('gives the first 256 models their own record and folds the rest into other', () => {
    const records = new ModelRecords();
    for (let i = 0; i < MAX_MODELS + 50; i++) records.get(`model-${i}`).requests++;
    const names = [...records.entries()].map(([name]) => name);
    expect(names).toHaveLength(MAX_MODELS + 1);
    expect(names).toContain('model-255');
    expect(names).not.toContain('model-256');
    expect(records.get(OTHER).requests).toBe(50);
    // A model seen before the cap keeps its own record.
    records.get('model-3').requests++;
    expect(records.get('model-3').requests).toBe(2);
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
