// An error answer that is a web page is named, never quoted: by its title, else by the start of
// its text with the markup taken out, so a message never holds a tag.
import { describe, expect, it } from 'vitest';
import { answeredText, describeWebPage, type HttpFailure } from './index';

const KEY = 'sk-live-0123456789abcdef0123456789';
const redact = (text: string) => text.replaceAll(KEY, '[redacted]');

function page(body: string): HttpFailure {
  return {
    statusCode: 429,
    contentType: 'text/html',
    body,
    endpoint: '/v1/reply',
    model: 'm',
    headers: {},
    location: undefined,
    request: 'POST http://127.0.0.1/v1/reply',
    redact,
  };
}

describe('describeWebPage', () => {
  it('names a page by its title', () => {
    const body = '<!DOCTYPE html><html><head><title>429 Too Many Requests</title></head></html>';
    expect(describeWebPage(page(body))).toBe(
      'a web page (text/html; its title: "429 Too Many Requests")',
    );
    expect(answeredText('Demo', page(body), body)).toBe(
      'Demo /v1/reply answered 429 with a web page (text/html; its title: "429 Too Many Requests")',
    );
  });

  it('names a page without a title by the start of its text, without its markup', () => {
    const body = `<html>\n<!-- <b>hidden</b> -->\n<style>p { color: red }</style><script>var k = 1 < 2;</script>\n<body><h1>Slow   down</h1>\n<p>Too many requests from ${KEY}</p></body></html>`;
    const said = describeWebPage(page(body));
    expect(said).toBe(
      'a web page (text/html; it starts: "Slow down Too many requests from [redacted]")',
    );
  });

  it('drops a tag the kept bytes cut off', () => {
    const body = `<html><body><p>Rate limited</p><div class="${'x'.repeat(3000)}">`;
    expect(describeWebPage(page(body))).toBe('a web page (text/html; it starts: "Rate limited")');
  });

  it('says a page of markup alone has no title and no text', () => {
    expect(describeWebPage(page('<html><body><div id="app"></div></body></html>'))).toBe(
      'a web page (text/html; it has no title and no text)',
    );
    expect(describeWebPage({ ...page('  \n'), contentType: undefined })).toBe(
      'a web page (no Content-Type; its body is empty)',
    );
  });
});
