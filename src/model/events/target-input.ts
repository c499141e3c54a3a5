/**
 * What a target receives for an event (pure): the event itself (JSON), the target's constant `Input`,
 * the part `InputPath` selects, or `InputTransformer`'s template filled from `InputPathsMap`.
 *
 * Template placeholders `<name>` take the selected value: a string is inserted as its text, JSON-escaped
 * (so `"<task> stopped"` stays one JSON string), anything else as JSON. EventBridge's reserved names work
 * too: <aws.events.rule-arn>, <aws.events.rule-name>, <aws.events.event.ingestion-time>,
 * <aws.events.event> and <aws.events.event.json> (the whole event).
 */
import type { Target } from '@aws-sdk/client-eventbridge';
import type { BusEvent } from './records.js';

/** Resolves `$`, `$.a.b`, `$.a[0]` (the JSON paths targets accept); undefined when absent. */
export function jsonPath(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const m of path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = m[1] !== undefined ? (v as Record<string, unknown>)[m[1]] : (v as unknown[])[Number(m[2])];
  }
  return v;
}

export function targetPayload(t: Pick<Target, 'Input' | 'InputPath' | 'InputTransformer'>, event: BusEvent, rule: { name: string; arn: string }, ingestedAt: number): string {
  if (t.Input !== undefined) return t.Input;
  if (t.InputPath !== undefined) return JSON.stringify(jsonPath(event, t.InputPath) ?? null);
  if (t.InputTransformer) {
    const values: Record<string, unknown> = {
      'aws.events.rule-arn': rule.arn, 'aws.events.rule-name': rule.name, 'aws.events.event.ingestion-time': new Date(ingestedAt).toISOString(),
      'aws.events.event': event, 'aws.events.event.json': event,
    };
    for (const [k, p] of Object.entries(t.InputTransformer.InputPathsMap ?? {})) values[k] = jsonPath(event, p);
    return t.InputTransformer.InputTemplate!.replace(/<([^<>\s]+)>/g, (whole, name: string) => {
      if (!(name in values)) return whole;
      const v = values[name];
      return typeof v === 'string' ? JSON.stringify(v).slice(1, -1) : JSON.stringify(v ?? null);
    });
  }
  return JSON.stringify(event);
}
