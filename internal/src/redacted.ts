/** What a secret looks like in an error or a log line: never its value. */
export const REDACTED = '[redacted]';
