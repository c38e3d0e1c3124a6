/**
 * OpenAI's and Groq's 429 for a request whose tokens alone exceed the tier's per-minute limit:
 * `Request too large for gpt-4o in organization org-... on tokens per min (TPM): Limit 30000,
 * Requested 36278. The input or output tokens must be reduced in order to run successfully.` Its
 * `error.code` is the pace limit's own (`rate_limit_exceeded`): only the text tells them apart.
 */
const REQUEST_TOO_LARGE = /Request too large for /i;

/** What a request too large for the tier adds: waiting will not help, a smaller request will. */
const TOO_LARGE_ADVICE =
  "No retry can succeed: reduce the input or `maxTokens` (the output tokens asked for count too), or raise the tier's tokens-per-minute limit.";

/**
 * Why a server answered 429, from its error body: the account's quota is spent
 * (`insufficient_quota`: billing, not pace), the request alone is over the tier's tokens a minute,
 * or neither (the pace, which a wait fixes); and the message saying so (naming a web page,
 * `webPage`, instead of quoting the server).
 */
export function rateLimitReason(init: {
  label?: string | undefined;
  endpoint: string;
  serverMessage: string;
  type?: string | undefined;
  errorCode?: string | undefined;
  webPage?: string | undefined;
}): { quotaExhausted: boolean; requestTooLarge: boolean; message: string } {
  const quotaExhausted =
    init.errorCode === 'insufficient_quota' || init.type === 'insufficient_quota';
  // A web page (a proxy's, a gateway's) is not the API's word on the tier.
  const requestTooLarge =
    !quotaExhausted && init.webPage === undefined && REQUEST_TOO_LARGE.test(init.serverMessage);
  const reason = quotaExhausted
    ? 'quota exhausted'
    : requestTooLarge
      ? 'request too large'
      : 'rate limited';
  const head = `${init.label ?? 'OpenAI'} ${init.endpoint} answered 429 (${reason})`;
  // A page is named by its title: its markup quoted would be hundreds of characters of tags.
  const said =
    init.webPage === undefined
      ? `${head}: ${init.serverMessage || '(empty body)'}`
      : `${head} with ${init.webPage}`;
  return {
    quotaExhausted,
    requestTooLarge,
    message: requestTooLarge ? `${said} ${TOO_LARGE_ADVICE}` : said,
  };
}
