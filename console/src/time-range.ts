/** Time ranges of the metric charts. */
import type { DateRangePickerProps } from '@cloudscape-design/components/date-range-picker';

export interface TimeRange { readonly start: Date; readonly end: Date }

/** A period that keeps a chart at ≤ ~240 points: 60 s up to 4 hours, 15 min for a day, 1 h for a week. */
export function periodFor(range: TimeRange): number {
  const seconds = (range.end.getTime() - range.start.getTime()) / 1000;
  const steps = [60, 300, 900, 3600, 21600, 86400];
  return steps.find((s) => seconds / s <= 240) ?? 86400;
}

const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000, year: 365 * 86_400_000 };

export function rangeOf(v: DateRangePickerProps.Value): { relativeMs?: number; start?: Date; end?: Date } {
  if (v.type === 'relative') return { relativeMs: v.amount * (UNIT_MS[v.unit] ?? 60_000) };
  return { start: new Date(v.startDate), end: new Date(v.endDate) };
}
