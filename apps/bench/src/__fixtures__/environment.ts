import type { Environment } from '../env';

/** The machine a test's made-up run says it ran on: the published runs' kind of box. */
export const testEnvironment: Environment = {
  node: 'v20.20.2',
  v8: '11.3',
  cpuModel: 'AMD EPYC',
  cpuCount: 2,
  platform: 'linux',
  osRelease: '6.1',
  arch: 'x64',
  totalMemoryMiB: 4096,
  freeMemoryMiB: 2048,
  loadAverage: [1, 1, 1],
  packages: {},
};
