/** One log entry as a package wrote it: the level, the structured fields, the message. */
export type LogEntry = [
  level: string,
  fields: Record<string, unknown>,
  message: string | undefined,
];

/**
 * A logger (pino's and console's shape) that records every entry, for the `logger` option tests of
 * every package. `events(level?)` lists the `event` fields (of one level, or all);
 * `lines()` lists them as `'<level> <event>'`, to assert levels and order at once.
 */
export function recordingLogger() {
  const entries: LogEntry[] = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message?: string): void => {
      entries.push([level, fields, message]);
    };
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const events = (level?: string) =>
    entries.filter(([l]) => level === undefined || l === level).map(([, fields]) => fields.event);
  const lines = () => entries.map(([level, fields]) => `${level} ${fields.event}`);
  return { logger, entries, events, lines };
}
