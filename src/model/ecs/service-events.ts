/**
 * Service events (DescribeServices `events[]`): newest first, the last 100 kept, and an identical
 * message is not repeated while its cause lasts — here: since the PRIMARY deployment began, within 6 h
 * (ECS suppresses duplicates "until the cause is resolved or 6 hours"). Shared by every controller that
 * speaks in a service's event log (services, lb).
 */
import type { ServiceEventRecord, ServiceRecord } from './records.js';

export const EVENT_LIMIT = 100;
const DEDUPE_MS = 6 * 3_600_000;

/** Appends an event unless it is a suppressed duplicate. Returns whether it was appended. */
export function appendServiceEvent(s: ServiceRecord, message: string, now: number): boolean {
  const since = Math.max(now - DEDUPE_MS, s.deployments.find((d) => d.status === 'PRIMARY')?.createdAt ?? 0);
  if (s.events.some((e) => e.message === message && e.createdAt >= since)) return false;
  s.seq += 1;
  const e: ServiceEventRecord = { id: serviceEventId(s.serviceName, s.seq), createdAt: now, message };
  s.events = [e, ...s.events].slice(0, EVENT_LIMIT);
  return true;
}

/** A stable, UUID-shaped id from the service name and a sequence number (no randomness in pure code). */
export function serviceEventId(service: string, seq: number): string {
  let h = 2166136261;
  for (const c of service) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const hex = (h.toString(16).padStart(8, '0') + seq.toString(16).padStart(24, '0')).slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
