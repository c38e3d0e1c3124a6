/**
 * Tool calls one answer may hold. Each costs memory and every partial snapshot copies them all: a
 * hostile stream of 200,000 one-byte calls held the event loop for seconds before the answer's
 * size cap ended it. Models call a handful at a time; no tool list allows more than a few hundred.
 */
export const MAX_TOOL_CALLS = 4096;

/** The detail of a malformed-tool-call error for an answer past {@link MAX_TOOL_CALLS}. */
export const TOO_MANY_TOOL_CALLS = `more than ${MAX_TOOL_CALLS} tool calls in one answer, far more than a model makes`;
