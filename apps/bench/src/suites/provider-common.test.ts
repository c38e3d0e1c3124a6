import { describe, expect, it } from 'vitest';
import { warmUp } from './provider-common';

describe('warmUp', () => {
  it('calls every client as many times, in an order that rotates, when warming', async () => {
    const order: string[] = [];
    const call = (name: string) => async () => {
      order.push(name);
    };
    await warmUp([call('ours'), call('raw'), call('peer')], 4);
    expect(order.filter((n) => n === 'ours')).toHaveLength(4);
    expect(order.filter((n) => n === 'raw')).toHaveLength(4);
    expect(order.filter((n) => n === 'peer')).toHaveLength(4);
    expect(order.slice(0, 6)).toEqual(['ours', 'raw', 'peer', 'raw', 'peer', 'ours']);
  });
});
