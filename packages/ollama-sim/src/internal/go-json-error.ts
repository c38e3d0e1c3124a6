// When JSON.parse fails, Ollama's 400 carries Go's decoder message instead ("invalid character '}'
// looking for beginning of object key string", "unexpected EOF", ...). This is a small scanner that
// finds the first error the way Go's encoding/json scanner reports it. gin decodes with a
// json.Decoder, so data after the first complete value is not an error.

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  const q = JSON.stringify(c).slice(1, -1);
  return `'${q}'`;
}

class Stop {
  constructor(readonly message: string) {}
}

/** Go's error for the first syntax problem, or where the first complete value ends. */
export function scanGoJson(text: string): { error: string } | { end: number } {
  let i = 0;
  const n = text.length;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  const skip = () => {
    while (i < n && isSpace(text[i]!)) i++;
  };
  const eof = () => new Stop('unexpected EOF');
  const bad = (c: string, context: string) =>
    new Stop(`invalid character ${quoteChar(c)} ${context}`);

  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (i >= n) throw eof();
      const c = text[i]!;
      if (c !== word[k]) throw bad(c, `in literal ${word} (expecting ${quoteChar(word[k]!)})`);
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= n) throw eof();
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') throw bad(c, 'in string literal');
      if (c === '\\') {
        i++;
        if (i >= n) throw eof();
        const e = text[i]!;
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (i + k >= n) throw eof();
            if (!/[0-9a-fA-F]/.test(text[i + k]!))
              throw bad(text[i + k]!, 'in \\u hexadecimal character escape');
          }
          i += 5;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) throw bad(e, 'in string escape code');
      }
      i++;
    }
  };
  const digits = () => {
    while (i < n && text[i]! >= '0' && text[i]! <= '9') i++;
  };
  const number = () => {
    if (text[i] === '-') {
      i++;
      if (i >= n) throw eof();
      if (!(text[i]! >= '0' && text[i]! <= '9')) throw bad(text[i]!, 'in numeric literal');
    }
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      if (i >= n) throw eof();
      if (!(text[i]! >= '0' && text[i]! <= '9'))
        throw bad(text[i]!, 'after decimal point in numeric literal');
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (i >= n) throw eof();
      if (!(text[i]! >= '0' && text[i]! <= '9'))
        throw bad(text[i]!, 'in exponent of numeric literal');
      digits();
    }
  };
  const value = (): void => {
    skip();
    if (i >= n) throw eof();
    const c = text[i]!;
    if (c === '{') {
      i++;
      skip();
      if (i >= n) throw eof();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skip();
        if (i >= n) throw eof();
        if (text[i] !== '"') throw bad(text[i]!, 'looking for beginning of object key string');
        string();
        skip();
        if (i >= n) throw eof();
        if (text[i] !== ':') throw bad(text[i]!, 'after object key');
        i++;
        value();
        skip();
        if (i >= n) throw eof();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        throw bad(text[i]!, 'after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      skip();
      if (i >= n) throw eof();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skip();
        if (i >= n) throw eof();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        throw bad(text[i]!, 'after array element');
      }
    }
    if (c === '"') {
      string();
      return;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      number();
      return;
    }
    if (c === 't') {
      literal('true');
      return;
    }
    if (c === 'f') {
      literal('false');
      return;
    }
    if (c === 'n') {
      literal('null');
      return;
    }
    throw bad(c, 'looking for beginning of value');
  };
  try {
    value();
    return { end: i };
  } catch (e) {
    if (e instanceof Stop) return { error: e.message };
    throw e;
  }
}
