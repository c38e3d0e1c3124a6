export { anySignal, onAbort, raceAbort, sleep, throwIfAborted } from './abort';
export {
  expectDuration,
  expectFunction,
  expectNumber,
  expectOneOf,
  expectPlainObject,
  expectString,
  fail,
  failRedisClient,
  failSecret,
  isAbortSignal,
  isBlank,
  isPlainObject,
  type NumberRange,
  optionalBoolean,
  optionalDuration,
  optionalFunction,
  optionalNumber,
  optionalSignal,
  optionalString,
  REDACTED,
} from './args';
export { looksBase64 } from './base64-sample';
export { BoundedMap } from './bounded-map';
export { brand, brandedInstanceOf, hasBrand, mark } from './brand';
export { callOptions, SIGNAL_KEYS } from './call-options';
export { redactKnownSecrets, redisClientSecrets } from './client-secrets';
export { type Deferred, deferred } from './deferred';
export { describe, expected, typeName } from './describe';
export { displayUrl } from './display-url';
export { errorJSON } from './error-json';
export {
  countFailureCode,
  MAX_FAILURE_CODES,
  OTHER_FAILURE_CODES,
} from './failure-codes';
export { type InspectArgs, inspectStats } from './inspect';
export { expectJsonValues, propertyPath } from './json-values';
export { expectKeyAlone, keyScheme } from './key-alone';
export {
  closestKey,
  editDistance,
  expectKnownKeys,
  firstOfTwoKeys,
  type KeyAliases,
  UNKNOWN_KEY_LEAD,
  unknownKeyError,
} from './known-keys';
export { LazyIterable } from './lazy-iterable';
export { isLeavable, LeavableIterator, type LeaveHook } from './leavable-iterator';
export { liftAbortListenerLimit } from './listener-limit';
export { driverErrorForCause, keyHash } from './log-redact';
export {
  expectLogger,
  type LogFields,
  type Logger,
  type LogLevel,
  type LogMethod,
  PackageLog,
} from './logger';
export { holdsLogin } from './model-login';
export {
  type MessageParts,
  messageParts,
  optionError,
  withOptionPath,
} from './option-error';
export { type EscapeUnseenOptions, escapeUnseen, quoted } from './quoted';
export { createRandom, type Random } from './random';
export {
  answersIntegersAsText,
  errorMessage,
  integerReply,
  isUnusableRedisReply,
  redisErrorLabel,
  redisReplyCode,
  replyKind,
  unexpectedReplyText,
} from './redis-reply';
export { retryAfterMs, retryAfterOfHeaders } from './retry-after';
export {
  FOLD_MIN,
  HEX_SEPARATORS,
  hexOf,
  percentEveryByte,
  reversed,
  SECRET_MIN,
  secretForms,
  uriOf,
} from './secret-encodings';
export { hideSecretShapes, redactUrlCredentials, SECRET_HEADER } from './secret-text';
export { SharedFlight } from './shared-flight';
export {
  expectKeyLabel,
  expectSharedName,
  firstDifference,
  releaseShared,
  sharedInstance,
} from './shared-registry';
export { coarseNow, type LongTimer, MAX_TIMER_MS, setLongTimeout, timerDelay } from './timers';
export { MAX_TOOL_CALLS, TOO_MANY_TOOL_CALLS } from './tool-call-cap';
export { createTopics, Topic } from './topic';
export {
  expectUrlString,
  expectUrlText,
  hasControlOrEdgeSpace,
  URL_WITHOUT_CONTROLS,
} from './url-text';
export { isJsonRecord, objectKind } from './value-kind';
export { WaiterQueue, type WaiterQueueHooks, type Waiting } from './waiter-queue';
export {
  codeUnitHex,
  isWellFormed,
  LONE_SURROGATE,
  loneSurrogates,
  toWellFormed,
} from './well-formed';
