import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, track } from './__fixtures__/setup';
import { isOpenAIApiError, isOpenAITimeoutError } from './errors';
import { createOpenAIProvider } from './provider';

/**
 * A `baseUrl` with the port of another service: a static or web server that answers the POST with
 * its HTML error page (Python's `http.server` answers 501, nginx 405), which the message names by
 * its title instead of quoting 16 lines of escaped markup, asking whether `baseUrl` is right.
 */
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((done) => s.close(done));
    }),
  );
});

/** Python's `http.server` error page, as it sends it. */
const page = (status: number) =>
  `<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        <p>Error code: ${status}</p>\n        <p>Message: Unsupported method ('POST').</p>\n    </body>\n</html>\n`;

async function answeredBy(
  status: number,
  headers: Record<string, string>,
  body: string,
): Promise<Record<string, unknown> & Error> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const provider = track(
    createOpenAIProvider({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: 'sk-test-key-for-the-local-server',
      retry: false,
      breaker: false,
    }),
  );
  return provider.complete(ask()).catch((e) => e);
}

const HINT =
  /\. Is baseUrl right\? \(another service may be listening there\) An OpenAI-compatible API sits under a version prefix/;

describe('an answer from another service on the port', () => {
  for (const status of [405, 501]) {
    it(`names a ${status} web page by its title and asks about baseUrl`, async () => {
      const error = await answeredBy(
        status,
        { 'content-type': 'text/html;charset=utf-8' },
        page(status),
      );
      expect(isOpenAIApiError(error)).toBe(true);
      expect(error.message).toMatch(
        new RegExp(
          `^127\\.0\\.0\\.1:\\d+ /chat/completions answered ${status} with a web page \\(text/html;charset=utf-8; its title: "Error response"\\): the server there does not take POST http://127\\.0\\.0\\.1:\\d+/v1/chat/completions`,
        ),
      );
      expect(error.message).toMatch(HINT);
      expect(error.message).not.toMatch(/<|\\u000a|\n/);
      expect(error).toMatchObject({ statusCode: status, retryable: false });
      // The server's text itself is still there, for whoever wants it.
      expect(error.serverMessage).toContain('<title>Error response</title>');
    });
  }

  it('names a 404 web page without a Content-Type (its markup says it) and asks about baseUrl', async () => {
    const error = await answeredBy(
      404,
      {},
      '<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>',
    );
    expect(error.message).toMatch(
      /^127\.0\.0\.1:\d+ \/chat\/completions answered 404 with a web page \(no Content-Type; its title: "404 Not Found"\): nothing is served at POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/,
    );
    expect(error.message).toMatch(HINT);
  });

  it("keeps an API's own JSON 501 as it said it", async () => {
    const error = await answeredBy(
      501,
      { 'content-type': 'application/json' },
      JSON.stringify({
        error: {
          code: 501,
          message: 'This server does not support embeddings. Start it with `--embeddings`',
          type: 'not_supported_error',
        },
      }),
    );
    expect(error.message).toMatch(
      /^127\.0\.0\.1:\d+ \/chat\/completions answered 501: This server does not support embeddings\. Start it with `--embeddings`$/,
    );
  });

  it("names a proxy's 502 page by its title, still retryable", async () => {
    const error = await answeredBy(
      502,
      { 'content-type': 'text/html' },
      '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    );
    expect(error.message).toMatch(
      /^127\.0\.0\.1:\d+ \/chat\/completions answered 502 with a web page \(text\/html; its title: "502 Bad Gateway"\)$/,
    );
    expect(error).toMatchObject({ statusCode: 502, retryable: true });
  });
});

describe('a connect timeout', () => {
  it("ends with the connection error's fix: nothing answered there either", async () => {
    const provider = track(
      createOpenAIProvider({
        baseUrl: 'http://127.0.0.1:9/v1',
        apiKey: 'sk-test-key-for-the-local-server',
        retry: false,
        breaker: false,
        timeouts: { connectMs: 1234 },
        // Shaped as undici's ConnectTimeoutError, which its connector throws at the deadline.
        transport: async () => {
          throw Object.assign(new Error('Connect Timeout Error'), {
            name: 'ConnectTimeoutError',
            code: 'UND_ERR_CONNECT_TIMEOUT',
          });
        },
      }),
    );
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'connect', timeoutMs: 1234 });
    expect(error.message).toMatch(
      /^Timed out after 1234 ms waiting for connecting to .+ \(timeouts\.connectMs\)\. Check that the server is up and that `baseUrl` is its address$/,
    );
  });
});
