/**
 * A host and maybe a port: a name, an IPv4 or a bracketed IPv6 address, then `:` and digits (or
 * nothing at all: `file:///`). A port needs a host and a digit: `:12` and `bob:` are no host, so
 * `:12/x@h` and `bob:/x@h` read as a password holding `/`.
 */
const HOST_PORT = /^(?:(?:\[[0-9A-Fa-f:.]*\]|[A-Za-z0-9._~%!$&'()*+,;=-]+)(?::\d+)?)?$/;

/**
 * Where the userinfo (`user:password@`) of a URL ends, in `rest`, what follows its `scheme://`:
 * the index of the `@` that ends it; -1 when it has none; `rest.length` when it has one but no
 * `@` is followed by a host, so that where it ends cannot be told (all of `rest` is hidden).
 * Read for secrets rather than by the URL grammar, since a password is often written unescaped
 * and may hold `@`, `:`, `/`, `?`, `#`:
 * - when what comes before the first `/` is a host (and a port) and holds no `@`, the URL has no
 *   userinfo: a later `@` is the path's (`unpkg.com/react@18`, `medium.com/@user`) or the query's;
 * - otherwise (an `@` before the first `/`, or no host there: `:secret/x@host`), the userinfo
 *   ends at the last `@` followed by a host, wherever it is: past a `/`, `?` or `#` it may still
 *   be the password's (`bob:p@ss/w0rd#Sec@h/v1`, where a URL parser finds the host `ss`). An `@`
 *   of the path then hides the host too (`u:pw@unpkg.com/react@18` shows `[redacted]@18`): the
 *   text reads both ways, and only one of them keeps the password hidden.
 *
 * Two shapes are still read as a host, as no text tells them from `localhost:3000/a@1.js` or
 * `unpkg.com/react@18`: a user name and a password of digits up to a `/` (`bob:123/x@h` is the
 * host `bob`, port 123), and a user name alone holding a `/` (`tok/en@h`).
 */
export function userinfoEnd(rest: string): number {
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  if (!authority.includes('@') && HOST_PORT.test(authority)) return -1;
  return lastAtBeforeHost(rest);
}

/**
 * The last `@` of `text` followed by a host: any text up to the path, query or fragment (a host
 * that does not parse still shows) but for `=` and `&`, which are a query's
 * (`?mail=a@b.example&key=...`) and never a host's. Else `text.length` when it holds an `@`, -1
 * when it holds none. One pass from the end, so a text full of `@` costs no more than its length.
 */
function lastAtBeforeHost(text: string): number {
  // An `=` or `&` between this `@` and the next `/`, `\`, `?` or `#`.
  let pairs = false;
  let any = false;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x40 /* @ */) {
      if (!pairs) return i;
      any = true;
    } else if (c === 0x2f || c === 0x5c || c === 0x3f || c === 0x23 /* / \ ? # */) pairs = false;
    else if (c === 0x3d || c === 0x26 /* = & */) pairs = true;
  }
  return any ? text.length : -1;
}
