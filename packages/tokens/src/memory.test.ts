import { memoryAfterGc } from '@x/internal/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { countChatTokens } from './chat';
import { countTokens } from './count-tokens';
import { clearCountCache } from './encodings';
import { estimateTokens } from './estimate';
import { memoizedContexts } from './internal/heuristic';
import { memoizedModelNames } from './models';

const heapAfterGc = (): number => memoryAfterGc().heapUsed;

const MB = 1e6;
const DOCS = 12;

/**
 * A 4 MB text opening with one word of 13+ characters that no other document has: V8 keeps such
 * a substring as a view into the whole text.
 */
function document(i: number): string {
  const tag = String.fromCharCode(97 + i, 97 + i);
  return ` unique${tag}wordpiece${'. '.repeat(2e6)}`;
}

/** Heap growth (after a full collection) left by `work` run over `docs` documents of 4 MB. */
function retainedBy(work: (doc: string) => void, docs = DOCS): number {
  clearCountCache();
  const before = heapAfterGc();
  for (let i = 0; i < docs; i++) work(document(i));
  return heapAfterGc() - before;
}

// Each case held every 4 MB document alive through a memoised substring (32-48 MB); the bounds
// leave room for collector noise while catching even a quarter of that.
describe('the memos', () => {
  // Loading the rank files is not what is measured.
  beforeAll(() => {
    countTokens('warm up');
    countChatTokens([{ role: 'user', content: 'warm up' }], { model: 'gpt-4o' });
  });

  it('do not keep counted texts alive through the pieces they memoise', () => {
    // Counting 4 MB takes a while: 8 documents (32 MB held before). About 10 s on a quiet machine,
    // past 30 s on a loaded one: a bound, not a measure.
    const retained = retainedBy((doc) => countTokens(doc), 8);
    expect(retained).toBeLessThan(8 * MB);
  }, 90_000);

  it('do not keep documents alive through message texts cut from them', () => {
    const retained = retainedBy((doc) =>
      countChatTokens([{ role: 'user', content: doc.slice(0, 2_000) }], { model: 'gpt-4o' }),
    );
    expect(retained).toBeLessThan(12 * MB);
  });

  it('do not keep documents alive through estimated texts cut from them', () => {
    const retained = retainedBy((doc) =>
      estimateTokens([{ role: 'user', content: doc.slice(0, 2_000) }], { model: 'llama3' }),
    );
    expect(retained).toBeLessThan(12 * MB);
  });

  it('hold a bounded number of characters of long pieces', () => {
    // 20 distinct pieces of 200,000 characters (a run of one letter is one piece): 4 MB held before.
    clearCountCache();
    const before = heapAfterGc();
    for (const letter of 'abcdefghijklmnopqrst') countTokens(` ${letter.repeat(200_000)}`);
    expect(heapAfterGc() - before).toBeLessThan(1.5 * MB);
  }, 90_000);

  it('do not keep long model names, and clearCountCache() empties the model-name memos', () => {
    clearCountCache();
    const before = heapAfterGc();
    for (let i = 0; i < 400; i++) estimateTokens('hi', { model: `m${i}-${'x'.repeat(50_000)}` });
    // 400 names of 50,000 characters were 20 MB (twice: two memos).
    expect(heapAfterGc() - before).toBeLessThan(5 * MB);
    for (let i = 0; i < 50; i++) estimateTokens('hi', { model: `short-${i}` });
    expect(memoizedModelNames()).toBeGreaterThan(0);
    expect(memoizedContexts()).toBeGreaterThan(0);
    clearCountCache();
    expect(memoizedModelNames()).toBe(0);
    expect(memoizedContexts()).toBe(0);
  });
});
