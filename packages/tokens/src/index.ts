export {
  type CalibrationObservation,
  type CalibrationState,
  type Calibrator,
  type CalibratorStats,
  createCalibrator,
} from './calibrator';
export { countChatTokens } from './chat';
export { type ContextFit, fitsContext } from './context';
export { type CostEstimate, estimateCost } from './cost';
export { countTokensAsync, estimateTokensAsync } from './count-async';
export { countTokens } from './count-tokens';
export { MODEL_SOURCES, PRICES_AS_OF } from './data/models';
export {
  clearCountCache,
  type EncodingLoadEvent,
  encodingForModel,
  type LoadEncodingOptions,
  loadEncoding,
  loadedEncodings,
  onEncodingLoad,
} from './encodings';
export {
  EncodingLoadError,
  isEncodingLoadError,
  isNoExactTokenizerError,
  isTokensError,
  isUnknownModelError,
  NoExactTokenizerError,
  TokensError,
  type TokensErrorCode,
  UnknownModelError,
} from './errors';
export {
  estimateTokens,
  getHeuristicProfile,
  type HeuristicProfileInfo,
  type TokenEstimate,
} from './estimate';
export type { TokensLogger, TokensLogMethod } from './log';
export { getModelInfo, type RegisterModelInput, registerModel } from './models';
export type {
  CalibratorOptions,
  CountChatTokensOptions,
  CountTokensAsyncOptions,
  CountTokensOptions,
  EstimateCostInput,
  EstimateTokensAsyncOptions,
  EstimateTokensOptions,
  FitsContextOptions,
} from './options';
export type {
  ChatContentPart,
  ChatCustomToolCall,
  ChatMessage,
  ChatTool,
  ChatToolCall,
  CustomToolDefinition,
  CustomToolFormat,
  EncodingName,
  ModelInfo,
  ModelPricing,
  Provider,
  TierPricing,
  ToolDefinition,
  ToolProperty,
} from './types';
