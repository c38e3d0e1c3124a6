import { describe, expect, it } from 'vitest';
import { displayUrl } from './display-url';

describe('displayUrl', () => {
  it.each([
    ['https://api.example.com/v1', 'https://api.example.com/v1'],
    ['https://u:SECRET@api.example.com/v1\n', 'https://[redacted]@api.example.com/v1\n'],
    ['https://api.example.com/v1?api-key=SECRET\n', 'https://api.example.com/v1?[redacted]'],
    [
      'https://api.example.com:99999/v1?api-key=SECRET',
      'https://api.example.com:99999/v1?[redacted]',
    ],
    ['https://api example.com/v1?key=SECRET', 'https://api example.com/v1?[redacted]'],
    ['https://api.example.com/v1#key=SECRET', 'https://api.example.com/v1#[redacted]'],
    ['ftp://h/?token=SECRET', 'ftp://h/?[redacted]'],
    ['h:99999?key=SECRET', 'h:99999?[redacted]'],
    [' "http://u:SECRET@h:1"', ' "http://[redacted]@h:1"'],
    // A password holding `/`, `?` or `#`: everything up to the last `@` is userinfo.
    ['https://u:SE/CRET@h/v1', 'https://[redacted]@h/v1'],
    ['https://u:SE?CRET@h:99999/v1', 'https://[redacted]@h:99999/v1'],
    ['https://u:SE#CRET@h/v1?k=SECRET', 'https://[redacted]@h/v1?[redacted]'],
    ['http://admin:SECRET#x@host', 'http://[redacted]@host'],
    // An `@` past the host is the path's or the query's, not userinfo.
    ['https://h/v1?mail=a@b.example&key=SECRET', 'https://h/v1?[redacted]'],
    ['https://host/users/@me', 'https://host/users/@me'],
    ['http://[::1]:99999/@x', 'http://[::1]:99999/@x'],
    ['https://unpkg.com/react@18/umd/react.js', 'https://unpkg.com/react@18/umd/react.js'],
    // A scheme with a typo, or more slashes than it needs, still has its userinfo hidden.
    ['http//user:SECRET@127.0.0.1:11434', 'http//[redacted]@127.0.0.1:11434'],
    ['http:/user:SECRET@127.0.0.1/x', 'http:/[redacted]@127.0.0.1/x'],
    ['http:///user:SECRET@h/v1', 'http:///[redacted]@h/v1'],
    ['http:\\\\user:SECRET@h/v1', 'http:\\\\[redacted]@h/v1'],
    ['http:user:SECRET@h/v1', '[redacted]@h/v1'],
  ])('shows %j as %j', (text, shown) => {
    expect(displayUrl(text)).toBe(shown);
    expect(displayUrl(text)).not.toContain('SECRET');
    expect(displayUrl(text)).not.toContain('SE/');
  });
});
