import { REDACTED } from '@x/internal';

/**
 * The last word of a header, field, query parameter or XML element that holds a credential:
 * `Authorization`, `x-api-key`, `X-Auth-Token`, `client_secret`, `accessToken`, `Cookie`, `?sig=`,
 * `X-Amz-Signature`. Only as the name's end: `@x/internal`'s `SECRET_HEADER` matches anywhere in
 * a name, which suits a header list but not prose, where `max_tokens: 4096` would lose its value.
 */
export const CREDENTIAL_WORD =
  'auth(?:orization)?|key|token|secret|passw(?:or)?d|pwd|pass|cookie|credentials?|signature|sig|jwt|session(?:id)?';

/**
 * The credential element of an XML or HTML body (`<password>...</password>`, `<ns:Token>`, its
 * text or CDATA section), up to the next tag. Its name is read as a credential name is, and
 * whether the closing tag follows is never looked for, so a run of opening tags costs linear time.
 */
const CREDENTIAL_ELEMENT = new RegExp(
  `<(?=([\\w.:-]{1,80}))\\1(?<=${CREDENTIAL_WORD})((?:\\s[^<>]*)?)>` +
    '(<!\\[CDATA\\[(?:[^\\]]|\\](?!\\]>))*(?:\\]\\]>)?|[^<]*)',
  'gi',
);

/**
 * `<` and `>` as an error page shows markup it quotes: `&lt;`, `&#60;`, `&#x3c;` (leading zeros
 * allowed, as browsers read them), escaped again any number of times (`&amp;lt;`). The `amp;`s
 * are captured: they tell how deep the markup is escaped.
 */
const LT = '&((?:amp;)*)(?:lt|#0*60|#x0*3c);';
const LT_AT = new RegExp(LT, 'iy');
const GT_AT = /&((?:amp;)*)(?:gt|#0*62|#x0*3e);/iy;
const CDATA_AT = new RegExp(`${LT}!\\[CDATA\\[`, 'iy');
/** The start of an escaped credential element's opening tag: `&lt;ns:Token`, `&#60;password`. */
const ESCAPED_NAME = new RegExp(`${LT}(?=([\\w.:-]{1,80}))\\2(?<=${CREDENTIAL_WORD})`, 'gi');

export function stickyMatch(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

/** How many times the reference matched at `at` by `pattern` is escaped, or -1 if none is there. */
function depthAt(pattern: RegExp, text: string, at: number): number {
  const reference = stickyMatch(pattern, text, at);
  return reference === null ? -1 : reference[1]!.length / 4;
}

/**
 * Where the opening tag whose name ends at `at` ends: after a `&gt;` escaped `depth` times, after
 * none or more attributes (`a=&quot;x&quot;`); -1 if another escaped `<` or `>`, or a raw one,
 * comes first, or the tag is self-closed. Scanned by hand, not by a pattern: a pattern's loop over
 * a long attribute list overflows the stack. The scan stops at the next escaped `<`, where the
 * next tag is looked for, so a run of tags without their `&gt;` costs linear time.
 */
function openingTagEnd(text: string, at: number, depth: number): number {
  let slash = false;
  for (let i = at; i < text.length; i++) {
    const char = text[i]!;
    if (char === '<' || char === '>') return -1;
    if (char === '&') {
      const gt = depthAt(GT_AT, text, i);
      if (gt !== -1) return gt === depth && !slash ? GT_AT.lastIndex : -1;
      if (depthAt(LT_AT, text, i) !== -1) return -1;
    }
    if (i === at && !/\s/.test(char)) return -1;
    slash = char === '/';
  }
  return -1;
}

/**
 * Where the text of an escaped element starting at `at` ends: its escaped CDATA section whole
 * (to `]]` and a `&gt;` escaped as deep as the tag's, or the text's end), else the next tag: a
 * raw `<` (the page's own markup) or a `&lt;` escaped as deep as the tag's or less (one escaped
 * deeper is a `<` inside the element's text).
 */
function escapedTextEnd(text: string, at: number, depth: number): number {
  if (depthAt(CDATA_AT, text, at) === depth) {
    for (let i = text.indexOf(']]', at); i !== -1; i = text.indexOf(']]', i + 1)) {
      if (depthAt(GT_AT, text, i + 2) === depth) return GT_AT.lastIndex;
    }
    return text.length;
  }
  for (let i = at; i < text.length; i++) {
    const char = text[i];
    if (char === '<') return i;
    if (char === '&') {
      const found = depthAt(LT_AT, text, i);
      if (found !== -1 && found <= depth) return i;
    }
  }
  return text.length;
}

/** `text` with the text of every credential element of its HTML-escaped markup hidden. */
function hideEscapedElements(text: string): string {
  if (!text.includes('&')) return text;
  let shown = '';
  let copied = 0;
  ESCAPED_NAME.lastIndex = 0;
  for (let tag = ESCAPED_NAME.exec(text); tag !== null; tag = ESCAPED_NAME.exec(text)) {
    const depth = tag[1]!.length / 4;
    const at = openingTagEnd(text, tag.index + tag[0].length, depth);
    if (at === -1) continue;
    const end = escapedTextEnd(text, at, depth);
    if (text.slice(at, end).trim() === '') continue;
    shown += text.slice(copied, at) + REDACTED;
    copied = end;
    ESCAPED_NAME.lastIndex = end;
  }
  return shown + text.slice(copied);
}

/**
 * `text` with the text or CDATA section of every element named for a credential hidden, in
 * markup (`<password>...</password>`) and in markup an error page quotes escaped
 * (`&lt;password&gt;...&lt;/password&gt;`, `&#60;ns:Token&#62;`, `&amp;lt;key&amp;gt;`). An empty
 * or self-closed element is left as it is.
 */
export function hideCredentialElements(text: string): string {
  const elements = text.replace(
    CREDENTIAL_ELEMENT,
    (whole: string, name: string, attributes: string, content: string) =>
      attributes.endsWith('/') || content.trim() === ''
        ? whole
        : `<${name}${attributes}>${REDACTED}`,
  );
  return hideEscapedElements(elements);
}
