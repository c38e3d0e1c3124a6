/**
 * The error text Ollama answers for llama-server's refusal of a prompt too long for its slot
 * (`exceed_context_size_error`, passed on as it came), written out here so the tests hold the
 * sim's text against Ollama's rather than against itself.
 */
export function exceedsContextText(tokens: number, numCtx: number): string {
  return JSON.stringify({
    error: {
      code: 400,
      message: `request (${tokens} tokens) exceeds the available context size (${numCtx} tokens), try increasing it`,
      type: 'exceed_context_size_error',
      n_prompt_tokens: tokens,
      n_ctx: numCtx,
    },
  });
}
