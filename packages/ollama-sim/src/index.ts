export {
  FixtureError,
  isFixtureError,
  isListenError,
  isOllamaSimError,
  isSimClosedError,
  ListenError,
  type OllamaSimErrorCode,
  SimClosedError,
} from './errors';
export type {
  DestroyFault,
  EndWithoutDoneFault,
  ErrorLineFault,
  Fault,
  FaultKind,
  FaultPlan,
  FaultRule,
  LatencyFault,
  LatencySpec,
  RateLimitFault,
  RefuseFault,
  ReplayFault,
  RunnerCrashFault,
  SlowHeadersFault,
  SplitFault,
  StallFault,
  StatusFault,
} from './faults';
export {
  type Fixture,
  fixtureBody,
  loadFixture,
  loadRecordedFixtures,
  parseFixture,
  recordedFixturesDir,
} from './fixtures';
export type { OllamaSimLogger, OllamaSimLogMethod } from './log';
export { defaultModels, type ModelCapability, type SimModel } from './models';
export type {
  OllamaSimOptions,
  QuotaOptions,
  ReplyContext,
  ReplyHook,
  ToolCallOptions,
} from './options';
export {
  type FaultEvent,
  type OllamaSim,
  type OllamaSimStats,
  type RequestLogEntry,
  startOllamaSim,
} from './sim';
