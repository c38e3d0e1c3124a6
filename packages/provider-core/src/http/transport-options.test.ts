// The options a custom transport is called with are written by the provider: they must be what it
// passes (no key set to `undefined`), so that a transport can hand them on as they are to
// `@x/pool`'s `request` or undici's, whose `body` and `signal` take `null` but not `undefined`
// under `exactOptionalPropertyTypes`. The package compiles without that flag, so the type check
// compiles a user's module with it on; the run checks what the options hold.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createPool } from '@x/pool';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, lineCore as core, cores, streamed } from '../__fixtures__/line-core';
import type { Transport, TransportRequestOptions } from '../index';

const packageDir = join(import.meta.dirname, '..', '..');

/** A user's module beside `transport.ts`, so that `@x/pool` and `undici` resolve as they do here. */
const USER_MODULE = join(import.meta.dirname, 'user-transports.ts');
const USER_SOURCE = `
import { createPool } from '@x/pool';
import { request } from 'undici';
import type { Transport } from './transport';

const pool = createPool();
export const forwarded: Transport = (url, options) => pool.request(url, options);
export const bound: Transport = pool.request.bind(pool);
export const viaUndici: Transport = (url, options) => request(url, options);
export const logged: Transport = async (url, options) => {
  console.log(url);
  return pool.request(url, options);
};
// The flag is on: an explicit undefined is refused where the type does not admit it.
// @ts-expect-error
export const exact: { a?: string } = { a: undefined };
`;

/** The errors of {@link USER_SOURCE} compiled with the package's options and `flags`. */
function userErrors(flags: ts.CompilerOptions): string[] {
  const config = ts.readConfigFile(join(packageDir, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, packageDir);
  const options = { ...parsed.options, ...flags, noEmit: true };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => file === USER_MODULE || fileExists.call(host, file);
  host.readFile = (file) => (file === USER_MODULE ? USER_SOURCE : readFile.call(host, file));
  host.getSourceFile = (file, language, ...rest) =>
    file === USER_MODULE
      ? ts.createSourceFile(file, USER_SOURCE, language)
      : getSourceFile.call(host, file, language, ...rest);
  const program = ts.createProgram([USER_MODULE], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === USER_MODULE || d.file === undefined)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]!);
}

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

/** Answers every request with the line core's NDJSON answer. */
async function lineServer(): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end('{"delta":"hi"}\n{"done":true}\n');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('TransportRequestOptions', () => {
  it('compile into @x/pool’s and undici’s request under exactOptionalPropertyTypes', () => {
    expect(userErrors({ exactOptionalPropertyTypes: true })).toEqual([]);
  }, 60_000);

  it('hold no key set to undefined: a request without a body has no `body`', async () => {
    const url = await lineServer();
    await using pool = createPool();
    const sent: { method: string; options: TransportRequestOptions }[] = [];
    const transport: Transport = (target, options) => {
      sent.push({ method: options.method, options });
      return pool.request(target, options);
    };
    const provider = core(url, { pool: false, transport, timeouts: false });
    await expect(provider.complete(streamed, ask)).resolves.toMatchObject({ content: 'hi' });
    await expect(provider.request({ endpoint: '/tags', method: 'GET' })).resolves.toMatchObject({
      status: 200,
    });
    await expect(provider.probe('/tags', 'GET', undefined)).resolves.toContain('hi');
    expect(sent.map((s) => s.method)).toEqual(['POST', 'GET', 'GET']);
    for (const { options } of sent) {
      expect(Object.entries(options).filter(([, value]) => value === undefined)).toEqual([]);
    }
    expect(sent.map((s) => 'body' in s.options)).toEqual([true, false, false]);
  });
});
