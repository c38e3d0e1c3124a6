/** The chat request the cache's tests key answers by: one per `n`, deterministic (temperature 0). */
export const chatRequest = (n: number | string) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: `question ${n}` }],
  options: { temperature: 0 },
});
