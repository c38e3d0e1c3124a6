import { typeName } from '@x/internal';

/**
 * What an error of ours may say of a value user code threw (a key callback, a custom transport):
 * its name and code, which read as a class name and a code, never its text.
 */
export interface ThrownLabel {
  name: string;
  code?: string | undefined;
}

/** A class name: `Error`, `VaultError`, `DOMException`; never a token set as a name. */
const ERROR_NAME = /^(?:[A-Za-z_$][\w$]{0,39})?(?:Error|Exception)$/;
/** An error code: `ECONNREFUSED`, `ERR_INVALID_ARG`, `VAULT_SEALED` (no digits-and-letters key). */
const ERROR_CODE = /^(?:E[A-Z]{2,31}|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+){1,7})$/;

/**
 * The name and code of a thrown value as an error may show them: a name only when it reads as a
 * class name (else the constructor's, else the value's type), a code only when it reads as one.
 * Either may be set by user code to anything, the key included, hence the shapes. Never throws:
 * a getter that throws, or a revoked Proxy, leaves the name `object`.
 */
export function thrownLabel(thrown: unknown): ThrownLabel {
  if (typeof thrown !== 'object' || thrown === null) return { name: typeName(thrown) };
  try {
    const { name, code } = thrown as { name?: unknown; code?: unknown };
    const constructorName = (thrown as { constructor?: { name?: unknown } | undefined }).constructor
      ?.name;
    const shown = [name, constructorName].find(
      (candidate): candidate is string =>
        typeof candidate === 'string' && ERROR_NAME.test(candidate),
    );
    const label: ThrownLabel = { name: shown ?? 'object' };
    if (typeof code === 'string' && ERROR_CODE.test(code)) label.code = code;
    return label;
  } catch {
    return { name: 'object' };
  }
}
