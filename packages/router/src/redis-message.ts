/** What the instances say to each other through Redis, on which channel, and how it is read. */
import type { RedisRouterClientLike } from './redis-types';
import type { CooldownReason } from './state';

/** The news one instance publishes on the channel ({@link channelName}). */
export interface Message {
  from: string;
  type: 'cooldown' | 'recovered';
  deployment: string;
  /** A cooldown's length from `at`, in ms; 0 for a recovery. */
  ms: number;
  reason: CooldownReason;
  /** When the sender decided, by its wall clock (`Date.now()`). */
  at: number;
}

export const REASONS: readonly string[] = [
  'failures',
  'retry-after',
  'probe-failed',
  'breaker-open',
];

/**
 * `<keyPrefix><prefix>events`. ioredis puts the client's `keyPrefix` before the scripts' keys but
 * never before a channel (PUBLISH and SUBSCRIBE name no key): without it in the name, two apps
 * sharing a Redis under different `keyPrefix`es would hear each other's cooldowns, and take their
 * own deployment of the same id out for the other's failure.
 */
export function channelName(client: RedisRouterClientLike, prefix: string): string {
  const keyPrefix = client.options?.keyPrefix;
  return `${typeof keyPrefix === 'string' ? keyPrefix : ''}${prefix}events`;
}

/** A message of another instance, or `undefined` for anything else on the channel. */
export function parseMessage(text: string): Message | undefined {
  try {
    const m = JSON.parse(text) as Partial<Message>;
    if (
      typeof m.from === 'string' &&
      (m.type === 'cooldown' || m.type === 'recovered') &&
      typeof m.deployment === 'string' &&
      typeof m.ms === 'number' &&
      Number.isFinite(m.at) &&
      // A cooldown must have a length: `1e400` (Infinity) would keep the deployment out for
      // ever, 0 or less would send it straight to its probe.
      (m.type === 'recovered' || (Number.isFinite(m.ms) && m.ms > 0))
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

/**
 * What is left at `now` (this host's wall clock) of a cooldown message: its `ms` less the time
 * since it was decided, which a stalled Redis or a command resent after a reconnection can make
 * seconds. Both clocks are taken as synchronised (NTP); the time taken off is clamped to
 * [0, ms], so a sender's clock ahead of this one's applies the whole `ms` (as when nothing is
 * taken off) and one behind shortens the cooldown by the skew at most, to nothing.
 */
export function remainingOf(message: Message, now: number): number {
  return message.ms - Math.min(Math.max(0, now - message.at), message.ms);
}
