import { readFileSync } from 'node:fs';

/**
 * A self-signed certificate for `secure.test` (valid until 2126), made for the tests only: its key
 * is public and protects nothing. Trusted when passed as the CA (`tls: { ca: cert }`), refused
 * otherwise (`DEPTH_ZERO_SELF_SIGNED_CERT`), and for any other name (`ERR_TLS_CERT_ALTNAME_INVALID`).
 */
export const testCertificate = {
  host: 'secure.test',
  cert: readFileSync(new URL('./tls/cert.pem', import.meta.url)),
  key: readFileSync(new URL('./tls/key.pem', import.meta.url)),
};
