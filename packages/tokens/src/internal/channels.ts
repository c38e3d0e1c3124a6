/**
 * Minimal access to node:diagnostics_channel without a static import, so the package still loads
 * in browsers and edge runtimes (where events are simply not published).
 */
interface Channel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

type BuiltinLoader = (id: string) => unknown;

export function builtin<T>(id: string): T | undefined {
  const loader = (globalThis as { process?: { getBuiltinModule?: BuiltinLoader } }).process
    ?.getBuiltinModule;
  return typeof loader === 'function' ? (loader(id) as T | undefined) : undefined;
}

const channels = builtin<{ channel(name: string): Channel }>('node:diagnostics_channel');

export function channel(name: string): Channel | undefined {
  return channels?.channel(name);
}
