import http from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { freePort } from './free-port';
import { listenTracked, type TrackedListener } from './route-server';

// What a provider meets at a wrong `baseUrl`, and the wording both providers' errors say it with:
// nothing listening on the port, another service answering there, a `baseUrl` of the wrong type.
// One copy, so that the providers' tests of it cannot drift apart.

/** `http://127.0.0.1:<any port>` as a regular expression's source. */
export const LOOPBACK_ORIGIN = 'http://127\\.0\\.0\\.1:\\d+';

/** A loopback address nothing listens on (connections to it are refused), with `path` after it. */
export async function nothingListening(path = ''): Promise<{ port: number; url: string }> {
  const port = await freePort();
  return { port, url: `http://127.0.0.1:${port}${path}` };
}

/** How a provider words a refused connection to `url`: `Could not reach <who> at <url> (ECONNREFUSED). <remedy>`. */
export function refusedWording(who: string, url: string, remedy: string): string {
  return `Could not reach ${who} at ${url} (ECONNREFUSED). ${remedy}`;
}

/** What another service on the port answers every request with. */
export interface OtherServiceAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An answer that is a web page, with the title a provider's error names it by. */
interface WebPageAnswer extends OtherServiceAnswer {
  title: string;
}

/** Python's `http.server` error page for a POST it does not take (501, or 405), as it sends it. */
function pythonErrorPage(status: number): WebPageAnswer {
  return {
    status,
    headers: { 'content-type': 'text/html;charset=utf-8' },
    body: `<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        <p>Error code: ${status}</p>\n        <p>Message: Unsupported method ('POST').</p>\n    </body>\n</html>\n`,
    title: 'Error response',
  };
}

/** A 404 page without a Content-Type: only its markup says it is a web page. */
const UNTYPED_NOT_FOUND_PAGE: WebPageAnswer = {
  status: 404,
  headers: {},
  body: '<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>',
  title: '404 Not Found',
};

/** nginx's 502 page, as a proxy answers when what it fronts is down (a retryable failure). */
const NGINX_BAD_GATEWAY_PAGE: WebPageAnswer = {
  status: 502,
  headers: { 'content-type': 'text/html' },
  body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  title: '502 Bad Gateway',
};

/**
 * Call at the top of a test file. `start(answer)` starts another service on a loopback port, one
 * that answers every request with `answer`, and resolves its URL; after each test every one
 * started is closed, its sockets cut.
 */
export function otherServicesClosedAfterEach(): (answer: OtherServiceAnswer) => Promise<string> {
  const servers: TrackedListener[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async ({ status, headers, body }) => {
    const server = await listenTracked(
      http.createServer((_req, res) => {
        res.writeHead(status, headers);
        res.end(body);
      }),
    );
    servers.push(server);
    return server.url;
  };
}

/** `text` matched literally inside a regular expression. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The head of the message for a web page answered by `who` (a regular expression's source):
 * `^<who> answered <status> with a web page (<Content-Type or none>; its title: "<title>")`.
 */
function webPageHead(who: string, page: WebPageAnswer): string {
  const type = page.headers['content-type'] ?? 'no Content-Type';
  return `^${who} answered ${page.status} with a web page \\(${literal(type)}; its title: "${literal(page.title)}"\\)`;
}

/** The question an answer from another service ends with, then `where` (where the API is). */
export function baseUrlQuestion(where: string): RegExp {
  return new RegExp(
    `\\. Is baseUrl right\\? \\(another service may be listening there\\) ${literal(where)}`,
  );
}

/** How a provider words an answer from another service on the port of its `baseUrl`. */
export interface OtherServiceWording {
  /** Whose answer, as the message opens (a regular expression's source): `Ollama /api/\\w+`. */
  who: string;
  /** The URL called, as the message shows it whole (a regular expression's source). */
  called: string;
  /** Where the provider's API is, the advice after `Is baseUrl right?`. */
  where: string;
  /** The provider's guard for an error the server answered with. */
  isApiError: (error: unknown) => boolean;
}

/**
 * Registers, in the calling `describe`, the tests of the web pages another service answers with:
 * each named by its title, never quoted as markup, with the question whether `baseUrl` is right;
 * a proxy's 502 page stays retryable. `answeredBy(answer)` is the error a provider at a server
 * answering `answer` fails a call with.
 */
export function itNamesOtherServicesWebPages(
  answeredBy: (answer: OtherServiceAnswer) => Promise<Record<string, unknown> & Error>,
  { who, called, where, isApiError }: OtherServiceWording,
): void {
  const hint = baseUrlQuestion(where);
  for (const status of [405, 501]) {
    it(`names a ${status} web page by its title and asks about baseUrl`, async () => {
      const page = pythonErrorPage(status);
      const error = await answeredBy(page);
      expect(isApiError(error)).toBe(true);
      expect(error.message).toMatch(
        new RegExp(`${webPageHead(who, page)}: the server there does not take POST ${called}`),
      );
      expect(error.message).toMatch(hint);
      expect(error.message).not.toMatch(/<|\\u000a|\n/);
      expect(error).toMatchObject({ statusCode: status, retryable: false });
      // The server's text itself is still there, for whoever wants it.
      expect(error.serverMessage).toContain('<title>Error response</title>');
    });
  }

  it('names a 404 web page without a Content-Type (its markup says it) and asks about baseUrl', async () => {
    const error = await answeredBy(UNTYPED_NOT_FOUND_PAGE);
    expect(error.message).toMatch(
      new RegExp(
        `${webPageHead(who, UNTYPED_NOT_FOUND_PAGE)}: nothing is served at POST ${called}`,
      ),
    );
    expect(error.message).toMatch(hint);
  });

  it("names a proxy's 502 page by its title, still retryable", async () => {
    const error = await answeredBy(NGINX_BAD_GATEWAY_PAGE);
    expect(error.message).toMatch(new RegExp(`${webPageHead(who, NGINX_BAD_GATEWAY_PAGE)}$`));
    expect(error).toMatchObject({ statusCode: 502, retryable: true });
  });
}

/** A `baseUrl` of each wrong type, `[what, value, how the refusal shows it]`; the URL object holds `url`. */
export function baseUrlsOfWrongType(url: string): Array<[string, unknown, string]> {
  return [
    ['a number', 5, '`5` (number)'],
    ['null', null, '`null` (null)'],
    ['a URL object', new URL(url), 'a URL object'],
  ];
}

/** The TypeError for `field` (`baseUrl`, `preset.baseUrl`) when it is not a string. */
export function urlStringRefusal(field: string, shown: string): TypeError {
  return new TypeError(`Expected \`${field}\` to be a URL string, got ${shown}`);
}

/** The RangeError's message for `field` holding a control character, up to `shown` (the value as shown). */
export function controlCharacterRefusal(field: string, shown = ''): RegExp {
  return new RegExp(
    `^Expected \`${literal(field)}\` to be a URL without control characters \\(tab, CR, LF, NUL\\.\\.\\.\\), got ${literal(shown)}`,
  );
}
