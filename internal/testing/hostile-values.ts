// Values user code may throw or return that no read survives: a guard, a classifier or a logger
// handed one must answer (false, "unreadable") rather than throw the trap's error.

/** A revoked Proxy of `target`: every operation on it throws a `TypeError`. */
export function revokedProxy(target: object = new Error('gone')): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A Proxy of `target` whose traps throw: a read, a prototype, an `in`, a descriptor, its keys. */
export function throwingProxy(target: object = new Error('trap')): object {
  const trap = (what: string) => () => {
    throw new Error(`hostile ${what}`);
  };
  return new Proxy(target, {
    get: trap('get'),
    getPrototypeOf: trap('getPrototypeOf'),
    has: trap('has'),
    getOwnPropertyDescriptor: trap('getOwnPropertyDescriptor'),
    ownKeys: trap('ownKeys'),
  });
}
