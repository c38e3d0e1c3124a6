import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { ask, destroyedAfterEach } from './__fixtures__/server';
import { isOllamaApiError, isOllamaTimeoutError } from './errors';
import { createOllamaProvider } from './provider';

/**
 * A `baseUrl` with the port of another service: a static or web server that answers the POST with
 * its HTML error page (Python's `http.server` answers 501, nginx 405), which the message names by
 * its title instead of quoting 16 lines of escaped markup, asking whether `baseUrl` is right.
 */
const { providers, listen } = destroyedAfterEach();

/** Python's `http.server` error page, as it sends it. */
const page = (status: number) =>
  `<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        <p>Error code: ${status}</p>\n        <p>Message: Unsupported method ('POST').</p>\n    </body>\n</html>\n`;

async function answeredBy(
  status: number,
  headers: Record<string, string>,
  body: string,
): Promise<Record<string, unknown> & Error> {
  const baseUrl = await listen((_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  });
  const provider = createOllamaProvider({ baseUrl, retry: false, breaker: false, tokens: false });
  providers.push(provider);
  return provider.complete(ask()).catch((e) => e);
}

const HINT =
  /\. Is baseUrl right\? \(another service may be listening there\) Ollama's API is at the server's root/;

describe('an answer from another service on the port', () => {
  for (const status of [405, 501]) {
    it(`names a ${status} web page by its title and asks about baseUrl`, async () => {
      const error = await answeredBy(
        status,
        { 'content-type': 'text/html;charset=utf-8' },
        page(status),
      );
      expect(isOllamaApiError(error)).toBe(true);
      expect(error.message).toMatch(
        new RegExp(
          `^Ollama /api/\\w+ answered ${status} with a web page \\(text/html;charset=utf-8; its title: "Error response"\\): the server there does not take POST http://127\\.0\\.0\\.1:\\d+/api/\\w+`,
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
      /^Ollama \/api\/\w+ answered 404 with a web page \(no Content-Type; its title: "404 Not Found"\): nothing is served at POST http:\/\/127\.0\.0\.1:\d+\/api\/\w+/,
    );
    expect(error.message).toMatch(HINT);
  });

  it('asks about baseUrl for a plain-text 405', async () => {
    const error = await answeredBy(405, { 'content-type': 'text/plain' }, 'Method Not Allowed\n');
    expect(error.message).toMatch(
      /^Ollama \/api\/\w+ answered 405 \(Method Not Allowed\): the server there does not take POST /,
    );
    expect(error.message).toMatch(HINT);
  });

  it("names a proxy's 502 page by its title, still retried", async () => {
    const error = await answeredBy(
      502,
      { 'content-type': 'text/html' },
      '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    );
    expect(error.message).toMatch(
      /^Ollama \/api\/\w+ answered 502 with a web page \(text\/html; its title: "502 Bad Gateway"\)$/,
    );
    expect(error).toMatchObject({ statusCode: 502, retryable: true });
  });
});

describe('a connect timeout', () => {
  it('ends with how to start Ollama or point at it, as a refused connection does', async () => {
    const provider = createOllamaProvider({
      baseUrl: 'http://127.0.0.1:9',
      tokens: false,
      breaker: false,
      retry: false,
      timeouts: { connectMs: 1234 },
      // undici's own error, as its connector throws it when the connect deadline fires.
      transport: async () => {
        throw new errors.ConnectTimeoutError();
      },
    });
    providers.push(provider);
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'connect', timeoutMs: 1234 });
    expect(error.message).toBe(
      'Timed out after 1234 ms waiting for connecting to Ollama (timeouts.connectMs). Is Ollama running? Start it with `ollama serve`, or set `baseUrl` (or OLLAMA_HOST) to where it listens',
    );
  });
});
