import { describe, expect, it } from 'vitest';
import { createBreaker } from './breaker';
import { breakerPresets } from './presets';

describe('breakerPresets', () => {
  it('covers ollama, openai, gemini and perplexity', () => {
    expect(Object.keys(breakerPresets).sort()).toEqual([
      'gemini',
      'ollama',
      'openai',
      'perplexity',
    ]);
  });

  it.each(Object.entries(breakerPresets))(
    'stays within the design ranges for %s',
    (_name, preset) => {
      expect(preset.failureThreshold).toBeGreaterThanOrEqual(3);
      expect(preset.failureThreshold).toBeLessThanOrEqual(5);
      expect(preset.successThreshold).toBeGreaterThanOrEqual(2);
      expect(preset.successThreshold).toBeLessThanOrEqual(3);
      expect(preset.openTimeoutMs).toBeGreaterThanOrEqual(10_000);
      expect(preset.openTimeoutMs).toBeLessThanOrEqual(60_000);
      expect(preset.maxOpenTimeoutMs).toBeLessThanOrEqual(60_000);
      expect(() => createBreaker({ ...preset, name: _name })).not.toThrow();
    },
  );

  it('cannot be changed by a user', () => {
    expect(Object.isFrozen(breakerPresets)).toBe(true);
    expect(Object.isFrozen(breakerPresets.openai)).toBe(true);
  });
});
