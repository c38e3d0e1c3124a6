import { fail } from './args';
import { displayUrl } from './display-url';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what it refuses.
const CONTROL_OR_EDGE_SPACE = /[\u0000-\u001f\u007f-\u009f]|^\s|\s$/;

/** What a URL option with a control character in it is asked to be, in every package. */
export const URL_WITHOUT_CONTROLS = 'a URL without control characters (tab, CR, LF, NUL...)';

/**
 * True when `text` holds a control character (C0, DEL, C1) or starts or ends with whitespace:
 * never meant in a URL or a name that labels metrics and goes into a request line or a header.
 * The WHATWG URL parser strips tabs and newlines anywhere and spaces at the ends, so
 * `'http://a\nb'` would silently become host `ab`.
 */
export function hasControlOrEdgeSpace(text: string): boolean {
  return CONTROL_OR_EDGE_SPACE.test(text);
}

/**
 * A URL option (`baseUrl`) as given, before it is parsed: a string with no control character
 * and no surrounding whitespace, else a `RangeError` naming `name`. The error shows the URL as
 * {@link displayUrl} does (no userinfo, query or fragment: they may hold a credential).
 */
export function expectUrlText(name: string, value: string): void {
  if (hasControlOrEdgeSpace(value)) {
    fail(name, `${URL_WITHOUT_CONTROLS} or surrounding whitespace`, displayUrl(value), true);
  }
}

/**
 * A URL option (`baseUrl`) that must be a string, worded alike in every package: a `TypeError`
 * asking for "a URL string" (a `URL` object, say), before its text is checked and parsed.
 */
export function expectUrlString(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') fail(name, 'a URL string', value);
}
