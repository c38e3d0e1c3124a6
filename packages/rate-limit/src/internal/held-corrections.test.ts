import { describe, expect, it } from 'vitest';
import { HeldCorrections, newCallId } from './held-corrections';

describe('HeldCorrections', () => {
  it('sums the corrections never sent, and keeps one sent with an id apart, once', () => {
    const held = new HeldCorrections(2);
    held.add('a', [1, 10]);
    held.add('a', [2, -4]);
    held.add('a', [-5, 0], 'sent-id1');
    held.add('a', [-5, 0], 'sent-id1'); // failed again: still one
    held.add('b', [3, 3]);
    expect(held.size).toBe(2);
    expect(held.drain()).toEqual([
      ['a', { deltas: [3, 6], id: undefined }],
      ['a', { deltas: [-5, 0], id: 'sent-id1' }],
      ['b', { deltas: [3, 3], id: undefined }],
    ]);
    expect(held.size).toBe(0);
  });

  it('lets the oldest sent correction of a busy key go the safe way: its charges kept, its refunds dropped', () => {
    const held = new HeldCorrections(2);
    for (let i = 0; i < 17; i++)
      held.add('k', i === 0 ? [4, -7] : [-1, -1], String(i).padStart(8, '0'));
    const drained = held.drain();
    expect(drained).toHaveLength(17);
    expect(drained.filter(([, c]) => c.id === undefined)).toEqual([
      ['k', { deltas: [4, 0], id: undefined }],
    ]);
    expect(drained.some(([, c]) => c.id === '00000000')).toBe(false);
  });

  it('draws ids of the 8 characters the script records', () => {
    const ids = new Set(Array.from({ length: 1000 }, newCallId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[\w-]{8}$/);
  });
});
