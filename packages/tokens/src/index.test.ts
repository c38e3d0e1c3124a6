import { describe, expect, it } from 'vitest';

describe('@x/tokens', () => {
  it('exports exactly the public API when imported', async () => {
    const keys = Object.keys(await import('./index')).sort();
    expect(keys).toMatchInlineSnapshot(`
      [
        "EncodingLoadError",
        "MODEL_SOURCES",
        "NoExactTokenizerError",
        "PRICES_AS_OF",
        "TokensError",
        "UnknownModelError",
        "clearCountCache",
        "countChatTokens",
        "countTokens",
        "countTokensAsync",
        "createCalibrator",
        "encodingForModel",
        "estimateCost",
        "estimateTokens",
        "estimateTokensAsync",
        "fitsContext",
        "getHeuristicProfile",
        "getModelInfo",
        "isEncodingLoadError",
        "isNoExactTokenizerError",
        "isTokensError",
        "isUnknownModelError",
        "loadEncoding",
        "loadedEncodings",
        "onEncodingLoad",
        "registerModel",
      ]
    `);
  });
});
