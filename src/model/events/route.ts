/**
 * Which rules of a bus an event goes to (pure). A rule takes an event when it is enabled, has an event
 * pattern (schedule rules take no events) and the pattern matches; patterns are compiled once per text.
 */
import { compilePattern, matches, type CompiledPattern } from './pattern.js';
import type { BusEvent, RuleRecord } from './records.js';

/**
 * Compiled patterns by text. Rules are few (EventBridge allows 300 per bus) and their patterns were
 * checked when stored, so a bounded map cleared when full is enough; it only saves re-parsing.
 */
const compiled = new Map<string, CompiledPattern>();
const MAX_CACHED = 2000;

function compiledOf(text: string): CompiledPattern {
  let c = compiled.get(text);
  if (!c) {
    if (compiled.size >= MAX_CACHED) compiled.clear();
    c = compilePattern(text);
    compiled.set(text, c);
  }
  return c;
}

export function rulesMatching(rules: readonly RuleRecord[], event: BusEvent): RuleRecord[] {
  return rules.filter((r) => r.state !== 'DISABLED' && r.eventPattern !== undefined && matches(compiledOf(r.eventPattern), event));
}

/** EventBridge's event time: ISO 8601 to the second, in UTC. */
export const eventTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
