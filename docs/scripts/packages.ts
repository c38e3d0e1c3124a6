/** The packages in the order of the guide: the leaves, the simulator, the core, the providers. */
export const PACKAGES = [
  'pool',
  'rate-limit',
  'breaker',
  'cache',
  'tokens',
  'ollama-sim',
  'provider-core',
  'provider-ollama',
  'provider-openai',
  'router',
];
