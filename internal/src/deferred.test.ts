import { describe, expect, it } from 'vitest';
import { deferred } from './deferred';

describe('deferred', () => {
  it('resolves its promise when resolve is called from outside', async () => {
    const gate = deferred<string>();
    gate.resolve('open');
    await expect(gate.promise).resolves.toBe('open');
  });

  it('rejects its promise when reject is called from outside', async () => {
    const gate = deferred();
    gate.reject(new Error('shut'));
    await expect(gate.promise).rejects.toThrow('shut');
  });
});
