// Test tooling shared by every package's tests (`@x/internal/testing`): never bundled into a dist.

export { chaosSeeds } from './chaos-run';
export type { ChaosWire } from './chaos-server';
export { expectChaosSoakHolds } from './chaos-soak';
export { type ChildResult, runModuleScript } from './child-script';
export {
  CREDENTIAL_LABELS,
  credentialRefusal,
  recordingRedisClient,
  thrownBy,
} from './credential-labels';
export { freePort } from './free-port';
export type { HostileServer, HostileStats } from './hostile-server';
export {
  type DataAfterDoneOptions,
  type EchoSecretsOptions,
  type EndlessBodyOptions,
  type EndlessLineOptions,
  type EndlessNdjsonOptions,
  startDataAfterDone,
  startEchoSecrets,
  startEndlessBody,
  startEndlessLine,
  startEndlessNdjson,
  startNeverResponds,
  startTrickle,
  type TrickleOptions,
} from './hostile-servers';
export { revokedProxy, throwingProxy } from './hostile-values';
export {
  COLLECTOR_FUNCTIONS,
  COMPILER_FUNCTIONS,
  type CountedProcess,
  countedChild,
  instructionsByFunction,
  perUnit,
  runUnderValgrind,
  startCounted,
  type ValgrindRun,
} from './instructions';
export { jsonHostileText } from './json-text';
export { itEndsGetApiKeyWaits, type KeyWaitSubject } from './key-waits';
export { errorTexts, expectNoSecret, type Outputs, watchOutputs } from './leaks';
export { memoryAfterGc } from './memory-after-gc';
export {
  cliArg,
  keepOnly,
  medianOf,
  type ProfileSubject,
  type RoundFigures,
  requirePeer,
  rotatedRounds,
} from './profiling';
export { pullAll } from './pull';
export { type LogEntry, recordingLogger } from './recording-logger';
export { ReplyError, scriptReplyError } from './redis-replies';
export { refusedWith } from './refused';
export { type ReplyDropProxy, startReplyDropProxy } from './reply-drop-proxy';
export { type ChatCalls, expectRequestKeyTyposRefused } from './request-key-typos';
export {
  type Handler,
  listenTracked,
  type Received,
  type RouteServer,
  startRouteServer,
  type TrackedListener,
} from './route-server';
export { testCertificate } from './tls';
export { undefinedOptionsRefused } from './undefined-options';
export { until, within } from './until';
export {
  baseUrlQuestion,
  baseUrlsOfWrongType,
  controlCharacterRefusal,
  itNamesOtherServicesWebPages,
  LOOPBACK_ORIGIN,
  nothingListening,
  type OtherServiceAnswer,
  otherServicesClosedAfterEach,
  refusedWording,
  urlStringRefusal,
} from './wrong-base-url';
