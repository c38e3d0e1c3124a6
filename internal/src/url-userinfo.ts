/** A host and maybe a port: a name, an IPv4 or a bracketed IPv6 address (or nothing: `file:///`). */
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]*\]|[A-Za-z0-9._~%!$&'()*+,;=-]*)(?::\d*)?$/;

/**
 * Where the userinfo (`user:password@`) of a URL ends, in `rest`, what follows its `scheme://`:
 * the index of its `@`, or -1 when it has none. Read for secrets rather than by the URL grammar,
 * since a password is often written unescaped:
 * - an `@` before the first `/` ends it, the last such one (a password may hold `@`, `?`, `#`);
 * - past the first `/`, an `@` is the path's (`unpkg.com/react@18`, `medium.com/@user`), unless
 *   what comes before that `/` is no host (`:secret/x@host`: a password holding `/`), and then the
 *   last `@` ends it.
 */
export function userinfoEnd(rest: string): number {
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const inAuthority = authority.lastIndexOf('@');
  if (inAuthority !== -1) return inAuthority;
  if (slash === -1 || HOST_PORT.test(authority)) return -1;
  return rest.lastIndexOf('@');
}
