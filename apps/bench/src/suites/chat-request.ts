/**
 * The chat request the cache suite keys and looks up (and `packages/cache/profile` counts): a
 * typical request as a provider would cache it, one of many that differ in one number.
 */
export function chatRequest(i: number) {
  return {
    model: 'llama3.2:3b',
    messages: [
      { role: 'system', content: 'You are a concise assistant. Answer in one paragraph.' },
      {
        role: 'user',
        content: `Summarise request number ${i} of the nightly batch in two sentences.`,
      },
    ],
    options: { temperature: 0, seed: 42, top_p: 0.9, num_ctx: 4096 },
    stream: false,
  };
}
