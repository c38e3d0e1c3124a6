import { expectString, fail, optionalString } from '@x/internal';
import { expectRecord } from './internal/records';
import type { ChatTool, CustomToolDefinition, ToolDefinition } from './types';

/**
 * The tool constants of a chat format (OpenAI's cookbook, verified against the API there): each
 * function costs `functionStart`, a non-empty parameter list `propertiesStart`, each property
 * `property`, an enum `enumStart` plus `enumItem` per value, and the tool block `toolsEnd` once.
 */
export interface ToolFormat {
  functionStart: number;
  propertiesStart: number;
  property: number;
  enumStart: number;
  enumItem: number;
  toolsEnd: number;
}

/**
 * Checks the fields of one parameter schema that `toolParts` reads (type, description, enum),
 * so a malformed one is an error naming it rather than a TypeError from inside the count.
 */
function expectProperty(path: string, property: unknown): void {
  expectRecord(path, property);
  const { type } = property;
  if (
    type !== undefined &&
    typeof type !== 'string' &&
    !(Array.isArray(type) && type.every((item) => typeof item === 'string'))
  ) {
    fail(`${path}.type`, 'a string or an array of strings', type);
  }
  optionalString(`${path}.description`, property.description);
  if (property.enum !== undefined && !Array.isArray(property.enum)) {
    fail(`${path}.enum`, 'an array', property.enum);
  }
}

/** Checks the fields of a function tool that `toolParts` reads; `path` names its `function`. */
function expectFunction(path: string, fn: unknown): void {
  expectRecord(path, fn);
  expectString(`${path}.name`, fn.name, true);
  optionalString(`${path}.description`, fn.description);
  const { parameters } = fn;
  if (parameters === undefined) return;
  expectRecord(`${path}.parameters`, parameters);
  const { properties } = parameters;
  if (properties === undefined) return;
  expectRecord(`${path}.parameters.properties`, properties);
  for (const key of Object.keys(properties)) {
    expectProperty(`${path}.parameters.properties.${key}`, properties[key]);
  }
}

/**
 * Checks the fields of a custom tool that `toolParts` reads; `path` names its `custom`. A format
 * other than a grammar holds nothing the count reads, so only its `type` is checked: a format
 * OpenAI adds later is counted as text rather than refused.
 */
function expectCustom(path: string, custom: unknown): void {
  expectRecord(path, custom);
  expectString(`${path}.name`, custom.name, true);
  optionalString(`${path}.description`, custom.description);
  const { format } = custom;
  if (format === undefined) return;
  expectRecord(`${path}.format`, format);
  expectString(`${path}.format.type`, format.type);
  if (format.type !== 'grammar') return;
  const { grammar } = format;
  expectRecord(`${path}.format.grammar`, grammar);
  expectString(`${path}.format.grammar.definition`, grammar.definition);
  expectString(`${path}.format.grammar.syntax`, grammar.syntax);
}

/** @internal Validates tool definitions: every field the count reads. */
export function expectTools(tools: unknown): asserts tools is readonly ChatTool[] {
  if (!Array.isArray(tools)) fail('tools', 'an array', tools);
  for (let i = 0; i < tools.length; i++) {
    const tool: unknown = tools[i];
    expectRecord(`tools[${i}]`, tool);
    // As OpenAI reads a tool: by its `type`, a function when it is anything but `custom`.
    if (tool.type === 'custom') expectCustom(`tools[${i}].custom`, tool.custom);
    else expectFunction(`tools[${i}].function`, tool.function);
  }
}

const stripDot = (text: string) => (text.endsWith('.') ? text.slice(0, -1) : text);

/**
 * A custom tool's billed strings, added to `strings`; returns its constant overhead. OpenAI does
 * not publish how it renders a custom tool, so it is counted on the high side with the function
 * constants: as a function whose parameter list is its free-text input (`functionStart` and
 * `propertiesStart`, and `name:description` as a function's), and a grammar as one more property
 * holding its syntax and its whole definition (a long grammar may well be billed in full).
 */
function customParts(tool: CustomToolDefinition, format: ToolFormat, strings: string[]): number {
  const { name, description, format: shape } = tool.custom;
  strings.push(`${name}:${stripDot(description ?? '')}`);
  let overhead = format.functionStart + format.propertiesStart;
  // expectTools checked that a grammar format has its grammar.
  const grammar = shape?.type === 'grammar' ? shape.grammar : undefined;
  if (grammar !== undefined) {
    overhead += format.property;
    strings.push(grammar.syntax, grammar.definition);
  }
  return overhead;
}

/** @internal The billed strings and constant overhead of tool definitions. */
export function toolParts(
  tools: readonly ChatTool[],
  format: ToolFormat,
): { strings: string[]; overhead: number } {
  const strings: string[] = [];
  let overhead = 0;
  if (tools.length === 0) return { strings, overhead };
  for (const tool of tools) {
    if (tool.type === 'custom') {
      // `type` tells the two apart (expectTools checked it), but a function's `type` is any string.
      overhead += customParts(tool as CustomToolDefinition, format, strings);
      continue;
    }
    const fn = (tool as ToolDefinition).function;
    overhead += format.functionStart;
    strings.push(`${fn.name}:${stripDot(fn.description ?? '')}`);
    const properties = fn.parameters?.properties ?? {};
    const keys = Object.keys(properties);
    if (keys.length > 0) overhead += format.propertiesStart;
    for (const key of keys) {
      const property = properties[key] ?? {};
      overhead += format.property;
      if (Array.isArray(property.enum)) {
        overhead += format.enumStart;
        for (const item of property.enum) {
          overhead += format.enumItem;
          strings.push(String(item));
        }
      }
      const type = Array.isArray(property.type) ? property.type.join('|') : (property.type ?? '');
      strings.push(`${key}:${type}:${stripDot(property.description ?? '')}`);
    }
  }
  overhead += format.toolsEnd;
  return { strings, overhead };
}
