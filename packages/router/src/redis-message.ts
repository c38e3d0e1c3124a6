/** What the instances say to each other through Redis, and what an outage event may name. */
import type { CooldownReason } from './state';

/** The news one instance publishes on `<prefix>events`. */
export interface Message {
  from: string;
  type: 'cooldown' | 'recovered';
  deployment: string;
  ms: number;
  reason: CooldownReason;
  at: number;
}

export const REASONS: readonly string[] = [
  'failures',
  'retry-after',
  'probe-failed',
  'breaker-open',
];
/** A message of another instance, or `undefined` for anything else on the channel. */
export function parseMessage(text: string): Message | undefined {
  try {
    const m = JSON.parse(text) as Partial<Message>;
    if (
      typeof m.from === 'string' &&
      (m.type === 'cooldown' || m.type === 'recovered') &&
      typeof m.deployment === 'string' &&
      typeof m.ms === 'number' &&
      typeof m.at === 'number'
    ) {
      return {
        ...m,
        reason: REASONS.includes(m.reason as string) ? m.reason! : 'failures',
      } as Message;
    }
  } catch {
    // Not ours: another publisher on the channel.
  }
  return undefined;
}
