/**
 * TLS failures that another attempt would meet again, by the code Node gives them: the address
 * does not speak TLS (an `https://` base URL on a plain HTTP port), or its certificate is not one
 * Node trusts for this host. What each one means, for the connection error's message (a bare
 * OpenSSL line, `ssl3_get_record:wrong version number`, tells a user nothing); `undefined` for any
 * other code. A handshake cut by a reset or a timeout is a connection failure like another, and
 * is retried.
 */
export function tlsFailure(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  const known = TLS_FAILURES[code];
  if (known !== undefined) return known;
  if (code.startsWith('CERT_') || code.startsWith('UNABLE_TO_')) return UNTRUSTED;
  // OpenSSL's other refusals (a protocol version or cipher both sides do not share, an alert):
  // settings of one side or the other, which a retry does not change.
  if (code.startsWith('ERR_SSL_')) return 'the TLS handshake failed';
  return undefined;
}

const NOT_TLS = 'no TLS server answers at this address: is its URL http://, not https://?';
const UNTRUSTED =
  'its TLS certificate is not trusted: for a private CA, give Node its certificate (NODE_EXTRA_CA_CERTS)';

const TLS_FAILURES: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: NOT_TLS,
  ERR_SSL_PACKET_LENGTH_TOO_LONG: NOT_TLS,
  ERR_SSL_HTTP_REQUEST: NOT_TLS,
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'its TLS certificate is self-signed: to trust it, give Node that certificate (NODE_EXTRA_CA_CERTS)',
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  INVALID_CA: UNTRUSTED,
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  CERT_NOT_YET_VALID: 'its TLS certificate is not valid yet (or this clock is wrong)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate does not name this host',
  HOSTNAME_MISMATCH: 'its TLS certificate does not name this host',
};
