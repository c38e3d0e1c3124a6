// Test helpers for server-sent event streams (the /v1 answers).

/** The `data:` payloads of an event stream in order; throws on a frame that is not `data: …`. */
export function sseData(text: string): string[] {
  if (!text.endsWith('\n\n')) throw new Error(`stream does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      if (!frame.startsWith('data: ') || frame.includes('\n'))
        throw new Error(`not a single data line: ${JSON.stringify(frame)}`);
      return frame.slice('data: '.length);
    });
}

/** The JSON events of a stream, without its `[DONE]`. */
export function sseEvents(text: string): Record<string, unknown>[] {
  return sseData(text)
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d) as Record<string, unknown>);
}

/** The `choices[0].delta` of each chat chunk that has a choice. */
export function deltas(text: string): Record<string, unknown>[] {
  return sseEvents(text)
    .map((e) => (e.choices as { delta: Record<string, unknown> }[])[0]?.delta)
    .filter((d): d is Record<string, unknown> => d !== undefined);
}
