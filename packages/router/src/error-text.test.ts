// A provider of the user's own (any object with `complete()`) may throw an error quoting what it
// failed on: its gateway's URL with the password, an Authorization header. The router copies
// that error's text into attempts, events, their diagnostics channels, logs and stats: each copy
// is scrubbed, while the error object itself, the provider's own, reaches the caller unchanged.
import diagnosticsChannel from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { expectNoSecret, recordingLogger } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { scrubErrorText } from './error-text';
import { isRouterError } from './errors';
import { createRouter } from './router';
import type { RoutableProvider } from './types';

const PW = 'hunter2-Secret';
const TOK = 'Tk9aB8cD7eF6gH5iJ4kL';
/** Short, opaque values: no key shape gives them away, only the name in front of them. */
const HEADER_KEY = 'plain-key-9';
const QUERY_KEY = 'qs-secret-77';
const SCHEME_TOKEN = 'opaque-tok-1';
const SECRETS = [PW, TOK, HEADER_KEY, QUERY_KEY, SCHEME_TOKEN];

const QUOTING =
  `request to https://bob:${PW}@gw.example/v1/chat?api_key=${QUERY_KEY}&stream=false failed; ` +
  `Authorization: Bearer ${TOK}; x-api-key: ${HEADER_KEY}`;
const ask = { model: 'chat' as const, messages: [{ role: 'user' as const, content: 'Hi' }] };

class GatewayError extends Error {
  readonly code = 'ECONNREFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** A provider of the user's own: throws what `fail()` returns, or answers. */
function ownProvider(fail: (() => unknown) | undefined): RoutableProvider {
  return {
    async complete(request: { model: string }) {
      if (fail !== undefined) throw fail();
      return { model: request.model, message: { role: 'assistant', content: 'Hello' } };
    },
  } as unknown as RoutableProvider;
}

const CHANNELS = ['error', 'fallback', 'response'].map((event) => `x:router:${event}`);
const channelMessages: unknown[] = [];
const onChannel = (message: unknown) => channelMessages.push(message);
for (const name of CHANNELS) diagnosticsChannel.subscribe(name, onChannel);

const routers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const router of routers.splice(0)) await router.close();
  channelMessages.length = 0;
});

function routerOver(first: () => unknown, second: (() => unknown) | undefined) {
  const log = recordingLogger();
  const router = createRouter({
    deployments: [
      { id: 'a', group: 'chat', provider: ownProvider(first), model: 'm1' },
      { id: 'b', group: 'chat', provider: ownProvider(second), model: 'm2', priority: 1 },
    ],
    logger: log.logger,
  });
  routers.push(router);
  const events: unknown[] = [];
  router.onFallback((e) => events.push(e));
  router.onError((e) => events.push(e));
  router.onResponse((e) => events.push(e));
  return { router, log, events };
}

describe("a custom provider's error text", () => {
  it('is scrubbed in attempts, events, diagnostics channels, logs, stats and metrics', async () => {
    const thrown = new GatewayError(QUOTING);
    const { router, log, events } = routerOver(
      () => thrown,
      () => `string failure http://bob:${PW}@h/ Authorization: Token ${SCHEME_TOKEN}`,
    );
    const failed = await router.complete(ask).catch((e: unknown) => e);
    expect(isRouterError(failed)).toBe(true);
    if (!isRouterError(failed)) return;
    expect(failed.attempts.map((a) => a.error.message)).toEqual([
      'request to https://[redacted]@gw.example/v1/chat?api_key=[redacted]&stream=false failed; ' +
        'Authorization: Bearer [redacted]; x-api-key: [redacted]',
      'string failure http://[redacted]@h/ Authorization: Token [redacted]',
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({
        from: 'a',
        code: 'ECONNREFUSED',
        message: failed.attempts[0]!.error.message,
      }),
    );

    // A fatal error (the provider's TypeError) reaches `onError` with its text.
    const fatal = routerOver(() => new TypeError(QUOTING), undefined);
    const refused = await fatal.router.complete(ask).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect(fatal.events).toContainEqual(expect.objectContaining({ name: 'TypeError', calls: 1 }));

    // An answer's route lists the failure it fell back from.
    const served = routerOver(() => new GatewayError(QUOTING), undefined);
    const answer = await served.router.complete(ask);
    expect(answer.route.attempts[0]!.error.message).toContain('Bearer [redacted]');

    const everything = [
      failed.message,
      JSON.stringify(failed.attempts),
      JSON.stringify(answer.route),
      inspect([events, fatal.events, served.events, channelMessages], { depth: 10 }),
      JSON.stringify([log.entries, fatal.log.entries, served.log.entries]),
      ...[router, fatal.router, served.router].flatMap((r) => [
        JSON.stringify(r.stats()),
        r.toPrometheus(),
        inspect(r, { depth: 10 }),
      ]),
    ].join('\n');
    expect(channelMessages.length).toBeGreaterThanOrEqual(4);
    expect(log.events()).toEqual(expect.arrayContaining(['fallback', 'call-failed']));
    expect(fatal.log.events()).toContain('call-failed');
    for (const secret of SECRETS) expectNoSecret(everything, secret);
  });

  it("is left as it is in the provider's own error objects: the errors and the cause", async () => {
    const thrown = new GatewayError(QUOTING);
    const { router } = routerOver(
      () => thrown,
      () => thrown,
    );
    const failed = await router.complete(ask).catch((e: unknown) => e);
    if (!isRouterError(failed)) throw failed;
    expect(failed.errors).toEqual([thrown, thrown]);
    expect(failed.cause).toBe(thrown);
    expect(thrown.message).toBe(QUOTING);
  });

  it.each([
    [
      'a JSON header dump',
      `{"authorization":"Basic ${PW}","max_tokens": 4096}`,
      '{"authorization":"Basic [redacted]","max_tokens": 4096}',
    ],
    [
      'a quoted password',
      `login failed: "password": "two ${PW}"`,
      'login failed: "password": "[redacted]"',
    ],
    [
      'a form body',
      `sent client_secret=${QUERY_KEY}&grant_type=client_credentials`,
      'sent client_secret=[redacted]&grant_type=client_credentials',
    ],
    ['a cookie', `Cookie: session=${HEADER_KEY}; theme=dark`, 'Cookie: [redacted]; theme=dark'],
    [
      'a generated key',
      `Incorrect API key provided: sk-proj-${TOK}`,
      'Incorrect API key provided: [redacted]',
    ],
    [
      'plain words',
      "Invalid 'max_tokens': integer above maximum value 4096",
      "Invalid 'max_tokens': integer above maximum value 4096",
    ],
    // A provider quoting its upstream's JSON body escapes its quotes, once or twice: the
    // replacement keeps each closing quote's backslashes, so the text stays well formed.
    [
      'an escaped JSON body',
      `upstream body: {\\"password\\":\\"${PW}\\",\\"api_key\\":\\"${HEADER_KEY}\\",` +
        `\\"client_secret\\": \\"${QUERY_KEY}\\",\\"access_token\\":\\"${SCHEME_TOKEN}\\",` +
        `\\"max_tokens\\":4096}`,
      'upstream body: {\\"password\\":\\"[redacted]\\",\\"api_key\\":\\"[redacted]\\",' +
        '\\"client_secret\\": \\"[redacted]\\",\\"access_token\\":\\"[redacted]\\",' +
        '\\"max_tokens\\":4096}',
    ],
    [
      'an escaped Authorization header',
      `upstream body: {\\"Authorization\\":\\"Bearer ${SCHEME_TOKEN}\\"}`,
      'upstream body: {\\"Authorization\\":\\"Bearer [redacted]\\"}',
    ],
    [
      'a JSON body escaped twice',
      `said: {\\\\\\"password\\\\\\":\\\\\\"${PW}\\\\\\"}`,
      'said: {\\\\\\"password\\\\\\":\\\\\\"[redacted]\\\\\\"}',
    ],
    [
      'a form body in an escaped JSON string',
      `{\\"body\\":\\"password=${QUERY_KEY}\\"}`,
      '{\\"body\\":\\"password=[redacted]\\"}',
    ],
    [
      'a JSON value ending with an escaped backslash',
      `{"password":"ab\\\\","model":"gpt-4o"} and more`,
      '{"password":"[redacted]","model":"gpt-4o"} and more',
    ],
    [
      'an escaped JSON value ending with an escaped backslash',
      `{\\"password\\":\\"ab\\\\\\\\\\",\\"model\\":\\"gpt-4o\\"}`,
      '{\\"password\\":\\"[redacted]\\",\\"model\\":\\"gpt-4o\\"}',
    ],
    [
      'a Digest header',
      `Authorization: Digest username="u", realm="r", nonce="n", uri="/", response="${PW}"\nnext`,
      'Authorization: Digest [redacted]\nnext',
    ],
    [
      'a Digest header in JSON',
      `{"Authorization": "Digest username=\\"u\\", response=\\"${PW}\\"", "max_tokens": 4096}`,
      '{"Authorization": "Digest [redacted]", "max_tokens": 4096}',
    ],
    [
      'an unknown scheme with parameters',
      `Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Sig=${QUERY_KEY}`,
      'Authorization: [redacted]',
    ],
    [
      'XML elements and attributes',
      `<password>${PW}</password><api_key>${HEADER_KEY}</api_key>` +
        `<ns:Token>${SCHEME_TOKEN}</ns:Token><p password="${QUERY_KEY}"/><max_tokens>4096</max_tokens>`,
      '<password>[redacted]</password><api_key>[redacted]</api_key>' +
        '<ns:Token>[redacted]</ns:Token><p password="[redacted]"/><max_tokens>4096</max_tokens>',
    ],
    [
      'a CDATA section',
      `<Secret type="x"><![CDATA[${PW}]]></Secret>`,
      '<Secret type="x">[redacted]</Secret>',
    ],
    // An error page showing the request body escapes its markup, once or more, with named or
    // numeric references: the element's text is hidden up to the next tag, and the references
    // around it stay as they were.
    [
      'HTML-escaped XML elements',
      `&lt;password&gt;${PW}&lt;/password&gt;&lt;ns:Token&gt;${SCHEME_TOKEN}&lt;/ns:Token&gt;` +
        '&lt;max_tokens&gt;4096&lt;/max_tokens&gt;',
      '&lt;password&gt;[redacted]&lt;/password&gt;&lt;ns:Token&gt;[redacted]&lt;/ns:Token&gt;' +
        '&lt;max_tokens&gt;4096&lt;/max_tokens&gt;',
    ],
    [
      'XML elements escaped with numeric references',
      `&#60;password&#62;${PW}&#60;/password&#62; &#x3C;api_key&#x3e;${HEADER_KEY}&#x3c;/api_key&#X3E;` +
        ` &#0060;Secret&#062;${QUERY_KEY}&#60;/Secret&#62;`,
      '&#60;password&#62;[redacted]&#60;/password&#62; &#x3C;api_key&#x3e;[redacted]&#x3c;/api_key&#X3E;' +
        ' &#0060;Secret&#062;[redacted]&#60;/Secret&#62;',
    ],
    [
      'an XML element escaped twice, with attributes',
      `&amp;lt;Secret type=&amp;quot;x&amp;quot;&amp;gt;${PW}&amp;lt;/Secret&amp;gt;`,
      '&amp;lt;Secret type=&amp;quot;x&amp;quot;&amp;gt;[redacted]&amp;lt;/Secret&amp;gt;',
    ],
    [
      'an HTML-escaped CDATA section',
      `&lt;Secret&gt;&lt;![CDATA[a]]b ${PW}]]&gt;&lt;/Secret&gt;`,
      '&lt;Secret&gt;[redacted]&lt;/Secret&gt;',
    ],
    [
      'an HTML-escaped element whose text holds an escaped tag',
      `<pre>&lt;password&gt;a&amp;lt;b ${PW}&lt;/password&gt; &lt;token&gt;${TOK}</pre>`,
      '<pre>&lt;password&gt;[redacted]&lt;/password&gt; &lt;token&gt;[redacted]</pre>',
    ],
    [
      'an HTML-escaped attribute',
      `&lt;p password=&quot;${QUERY_KEY}&quot;/&gt; &lt;p token=&#39;${HEADER_KEY}&#39;/&gt;`,
      '&lt;p password=&quot;[redacted]&quot;/&gt; &lt;p token=&#39;[redacted]&#39;/&gt;',
    ],
    [
      'an HTML-escaped JSON body',
      `{&quot;password&quot;:&quot;${PW}&quot;,&#34;api_key&#34;: &#34;${HEADER_KEY}&#34;,` +
        '&quot;max_tokens&quot;:4096}',
      '{&quot;password&quot;:&quot;[redacted]&quot;,&#34;api_key&#34;: &#34;[redacted]&#34;,' +
        '&quot;max_tokens&quot;:4096}',
    ],
    // A serializer escaping quotes as `\u0022` (HTML-safe JSON, .NET): the closing quote is
    // spelled as the opening one, after the value's own escaped backslashes and quotes.
    [
      'a JSON body with \\u0022 quotes',
      `{\\u0022password\\u0022:\\u0022${PW}\\u0022,\\u0022api_key\\u0022: \\u0022${HEADER_KEY}\\u0022,` +
        '\\u0022max_tokens\\u0022:4096}',
      '{\\u0022password\\u0022:\\u0022[redacted]\\u0022,\\u0022api_key\\u0022: \\u0022[redacted]\\u0022,' +
        '\\u0022max_tokens\\u0022:4096}',
    ],
    [
      'a JSON body mixing quotes and \\u0022',
      `{"password":\\u0022${PW}\\u0022,"model":"m1"}`,
      '{"password":\\u0022[redacted]\\u0022,"model":"m1"}',
    ],
    [
      'a JSON body with \\u0027 quotes',
      `{\\u0027token\\u0027: \\u0027${HEADER_KEY}\\u0027, \\u0027model\\u0027: \\u0027m1\\u0027}`,
      '{\\u0027token\\u0027: \\u0027[redacted]\\u0027, \\u0027model\\u0027: \\u0027m1\\u0027}',
    ],
    [
      'a \\u0022-quoted value holding an escaped quote',
      `{\\u0022password\\u0022:\\u0022a\\\\\\u0022 ${PW}\\u0022,\\u0022model\\u0022:\\u0022m1\\u0022}`,
      '{\\u0022password\\u0022:\\u0022[redacted]\\u0022,\\u0022model\\u0022:\\u0022m1\\u0022}',
    ],
    [
      'a \\u0022-quoted JSON body escaped once more',
      `{\\\\u0022password\\\\u0022:\\\\u0022${PW}\\\\u0022}`,
      '{\\\\u0022password\\\\u0022:\\\\u0022[redacted]\\\\u0022}',
    ],
    [
      'a form body in a \\u0022-quoted string',
      `{\\u0022body\\u0022:\\u0022password=${QUERY_KEY}\\u0022}`,
      '{\\u0022body\\u0022:\\u0022password=[redacted]\\u0022}',
    ],
  ])('hides the credential of %s and keeps the rest', async (_what, text, shown) => {
    const { router } = routerOver(() => new Error(text), undefined);
    const answer = await router.complete(ask);
    expect(answer.route.attempts[0]!.error.message).toBe(shown);
  });

  it.each([
    ['the word password in prose', 'wrong password for user bob; the password was not accepted'],
    [
      'escaped markup',
      '&lt;b&gt;bold&lt;/b&gt; &lt;p class=&quot;x&quot;&gt;text&lt;/p&gt; &amp;lt;i&amp;gt;it',
    ],
    [
      'empty or self-closed escaped elements',
      '&lt;password/&gt; &lt;token&gt;&lt;/token&gt; &lt;key &gt; &#60;password&#62;&#60;/password&#62;',
    ],
    ['an unclosed escaped tag', '&lt;password x'],
    [
      'a JSON string holding \\u0022',
      '{"message":"she said \\u0022hello\\u0022","max_tokens":4096}',
    ],
    ['a field name in \\u0022', '{\\u0022keyboard\\u0022:\\u0022qwerty\\u0022,\\u0022n\\u0022:1}'],
    ['an HTML-escaped JSON body without credentials', '{&quot;model&quot;:&quot;m1&quot;}'],
  ])('leaves %s as it is', async (_what, text) => {
    const { router } = routerOver(() => new Error(text), undefined);
    const answer = await router.complete(ask);
    expect(answer.route.attempts[0]!.error.message).toBe(text);
  });

  // Each shape is what a backtracking pattern or a search for a closing mark would re-read from
  // every match on: quadratic, that is minutes for a megabyte. A few thousand matches each, so
  // that their own cost stays far under the bound on a loaded machine. The bound is on this
  // process's CPU time, not wall time: other processes sharing the cores stretch wall time (1.4-2 s
  // seen under load) but not the work the scrub itself does, and a quadratic scan still spends
  // minutes of CPU per megabyte.
  it('scrubs a megabyte of adversarial text in linear time', { timeout: 60_000 }, () => {
    const megabyte = (unit: string) => unit.repeat(Math.ceil((1 << 20) / unit.length));
    const shapes = [
      'a'.repeat(1 << 20),
      megabyte('x-api-key'),
      megabyte(`key${'-'.repeat(61)}`),
      megabyte(`\\"password\\":\\"${'\\\\'.repeat(48)}`),
      megabyte(`"token": "${'\\'.repeat(54)}`),
      megabyte(`Authorization: Digest a=${'b'.repeat(40)}`),
      megabyte(`Authorization: AWS4 ${'b'.repeat(64)} `),
      megabyte(`<password>${'x'.repeat(54)}`),
      megabyte(`<ns:Token a=${'"'.repeat(52)}`),
      `<password><![CDATA[${megabyte(']')}`,
      `key: a${' '.repeat(1 << 20)}`,
      megabyte(`key: a${' '.repeat(58)}`),
      `Bearer ${megabyte('a\\')}`,
      // The escaped forms: markup escaped once or more, and quotes spelled `\u0022` or `&quot;`.
      megabyte('&lt;password'),
      megabyte('&lt;ns:Token a=&quot;'),
      megabyte(`&lt;password&gt;${'x'.repeat(50)}`),
      megabyte('&amp;amp;amp;lt;password&amp;amp;gt;&#0000060;'),
      `&${megabyte('amp;')}`,
      `&lt;Secret&gt;&lt;![CDATA[${megabyte(']]&amp;gt;')}`,
      megabyte('\\u0022password\\u0022:'),
      megabyte(`\\u0022token\\u0022:\\u0022${'\\\\'.repeat(40)}`),
      megabyte('&quot;password&quot;: &quot;a\\\n'),
      megabyte('password=\\u00'),
    ];
    for (const text of shapes) {
      const started = process.cpuUsage();
      scrubErrorText(text);
      const spent = process.cpuUsage(started);
      expect((spent.user + spent.system) / 1000, text.slice(0, 30)).toBeLessThan(1000);
    }
  });
});
