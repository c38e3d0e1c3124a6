import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { base64Error, base64ErrorOffset } from './go-base64';
import { parseGoDuration, parseKeepAlive } from './go-duration';
import { goFloat32, goJson } from './go-json';
import { scanGoJson } from './go-json-error';
import { goTimeLocal, goTimeUtc } from './go-time';

describe('parseGoDuration', () => {
  it('parses Go duration strings to nanoseconds', () => {
    expect(parseGoDuration('10m')).toEqual({ ok: true, ns: 600e9 });
    expect(parseGoDuration('1h30m')).toEqual({ ok: true, ns: 5400e9 });
    expect(parseGoDuration('1.5s')).toEqual({ ok: true, ns: 1.5e9 });
    expect(parseGoDuration('-1m')).toEqual({ ok: true, ns: -60e9 });
    expect(parseGoDuration('0')).toEqual({ ok: true, ns: 0 });
    expect(parseGoDuration('250ms')).toEqual({ ok: true, ns: 250e6 });
  });

  it("returns Go's error texts for bad durations", () => {
    expect(parseGoDuration('10')).toEqual({
      ok: false,
      error: 'time: missing unit in duration "10"',
    });
    expect(parseGoDuration('-1')).toEqual({
      ok: false,
      error: 'time: missing unit in duration "-1"',
    });
    expect(parseGoDuration('abc')).toEqual({ ok: false, error: 'time: invalid duration "abc"' });
    expect(parseGoDuration('5x')).toEqual({
      ok: false,
      error: 'time: unknown unit "x" in duration "5x"',
    });
  });

  it("takes Go's exact limits, one nanosecond more when negative, and refuses past them", () => {
    expect(parseGoDuration('2562047h47m16.854775807s')).toMatchObject({ ok: true });
    expect(parseGoDuration('-2562047h47m16.854775808s')).toMatchObject({ ok: true });
    expect(parseGoDuration('9223372036854775807ns')).toMatchObject({ ok: true });
    for (const over of ['2562047h47m16.854775808s', '-2562047h47m16.854775809s', '2562048h']) {
      expect(parseGoDuration(over)).toEqual({
        ok: false,
        error: `time: invalid duration ${JSON.stringify(over)}`,
      });
    }
  });

  it('sums the parts of any compound duration', () => {
    fc.assert(
      fc.property(fc.nat(99), fc.nat(59), fc.nat(59), (h, m, s) => {
        expect(parseGoDuration(`${h}h${m}m${s}s`)).toEqual({
          ok: true,
          ns: (h * 3600 + m * 60 + s) * 1e9,
        });
      }),
    );
  });
});

describe('parseKeepAlive', () => {
  it('reads numbers as seconds and negatives as forever', () => {
    expect(parseKeepAlive(30, 1)).toEqual({ ok: true, ms: 30_000 });
    expect(parseKeepAlive(-1, 1)).toEqual({ ok: true, ms: Number.POSITIVE_INFINITY });
    expect(parseKeepAlive('-1m', 1)).toEqual({ ok: true, ms: Number.POSITIVE_INFINITY });
    expect(parseKeepAlive(undefined, 5)).toEqual({ ok: true, ms: 5 });
  });
});

describe('goJson', () => {
  it('escapes <, >, &, U+2028 and U+2029 and keeps other non-ASCII raw', () => {
    expect(goJson({ a: '<|eot_id|> & \u2028 é' })).toBe(
      '{"a":"\\u003c|eot_id|\\u003e \\u0026 \\u2028 é"}',
    );
  });

  it('turns lone surrogates into \\ufffd but keeps a typed backslash-u sequence', () => {
    expect(goJson({ a: 'x\ud800y', b: '\\ud800', c: '😀' })).toBe(
      '{"a":"x\\ufffdy","b":"\\\\ud800","c":"😀"}',
    );
  });

  it('round-trips through JSON.parse for any value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(goJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});

describe('goFloat32', () => {
  it('prints the shortest decimal that round-trips to the same float32', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (f) => {
        const text = goFloat32(f);
        expect(Math.fround(Number(text))).toBe(Math.fround(f) === 0 ? 0 : Math.fround(f));
        expect(text.replace(/^-|e.*$|\./g, '').replace(/^0+|0+$/g, '').length).toBeLessThanOrEqual(
          9,
        );
      }),
    );
  });

  it('matches the float32 values of the embed fixture', () => {
    expect(goFloat32(0.01115451)).toBe('0.01115451');
    expect(goFloat32(-0.0006150252)).toBe('-0.0006150252');
    expect(goFloat32(1e-7)).toBe('1e-7');
  });
});

describe('scanGoJson', () => {
  it('finds the end of the first value and ignores what follows', () => {
    expect(scanGoJson('{"a":[1,2.5e3,true,null]} trailing')).toEqual({ end: 25 });
  });

  it("reports Go's scanner errors", () => {
    expect(scanGoJson('{"a":tru}')).toEqual({
      error: "invalid character '}' in literal true (expecting 'e')",
    });
    expect(scanGoJson('[1 2]')).toEqual({ error: "invalid character '2' after array element" });
    expect(scanGoJson('{"a":1 "b"}')).toEqual({
      error: "invalid character '\"' after object key:value pair",
    });
    expect(scanGoJson('"a\nb"')).toEqual({ error: "invalid character '\\n' in string literal" });
    expect(scanGoJson('1.x')).toEqual({
      error: "invalid character 'x' after decimal point in numeric literal",
    });
  });
});

describe('go time formats', () => {
  it('prints UTC with trimmed nanoseconds', () => {
    const ms = Date.UTC(2026, 7, 24, 9, 15, 2, 444);
    expect(goTimeUtc(ms, 463830)).toBe('2026-08-24T09:15:02.44446383Z');
    expect(goTimeUtc(Date.UTC(2026, 7, 24, 9, 15, 2), 0)).toBe('2026-08-24T09:15:02Z');
  });

  it('never stamps a later call earlier than the one before it within a millisecond', () => {
    const ms = Date.UTC(2026, 7, 24, 9, 15, 2, 444);
    const now = vi.spyOn(performance, 'now');
    try {
      // performance.now()'s fraction wraps around inside one Date.now() millisecond.
      const fractions = [10.9, 11.1, 11.2, 11.95, 12.0];
      const stamps = fractions.map((f) => {
        now.mockReturnValueOnce(f);
        return goTimeUtc(ms);
      });
      const nanos = stamps.map((s) => Number(`${s.slice(20, -1)}`.padEnd(9, '0')));
      for (let i = 1; i < nanos.length; i++) expect(nanos[i]).toBeGreaterThanOrEqual(nanos[i - 1]!);
      expect(stamps.every((s) => s.startsWith('2026-08-24T09:15:02.444'))).toBe(true);
    } finally {
      now.mockRestore();
    }
  });

  it('prints local times with the zone offset', () => {
    const ms = Date.UTC(2026, 7, 21, 16, 3, 11, 804);
    expect(goTimeLocal(ms, 122907, -420)).toBe('2026-08-21T09:03:11.804122907-07:00');
    expect(goTimeLocal(ms, 0, 0)).toBe('2026-08-21T16:03:11.804Z');
  });
});

describe('base64ErrorOffset (Go base64.StdEncoding)', () => {
  it('accepts padded standard base64, newlines anywhere, and any bits after the last byte', () => {
    for (const text of ['', 'QUJD', 'QUI=', 'QQ==', 'QR==', 'QUJD\nRA==', 'QQ==\r\n', 'QQ=\n='])
      expect(base64ErrorOffset(text)).toBeUndefined();
  });

  it('reports the offset Go reports', () => {
    const cases: [string, number][] = [
      ['QUJ', 0], // input ends inside a group: the group's start
      ['YWJjZ', 4],
      ['QUJ\n', 1], // a newline inside the group still moves the end, not the digit count
      ['QQ=', 3], // one `=` where two are due: the end
      ['QQ=x', 2], // the byte before the one that should be `=`
      ['Q===', 1],
      ['====', 0],
      ['QQ==QQ==', 4], // after the padding
      ['not base64!', 3],
      ['QUJDé', 4],
      ['éQ==', 0],
      ['QUJD-_==', 4], // the URL alphabet is not the standard one
    ];
    for (const [text, offset] of cases)
      expect([text, base64ErrorOffset(text)]).toEqual([text, offset]);
  });

  it('words the error as Go does', () => {
    expect(base64Error('QQ=')).toBe('illegal base64 data at input byte 3');
    expect(base64Error('QQ==')).toBeUndefined();
  });
});
