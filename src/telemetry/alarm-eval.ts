/**
 * CloudWatch alarm evaluation, pure: given the last `evaluationPeriods` datapoints (oldest first; undefined
 * = missing) and the alarm's settings, the state it should be in.
 *
 *                     M of N breaching (M = datapointsToAlarm, default N)
 *   INSUFFICIENT_DATA ───────────────────────────────────────────────► ALARM
 *          │   ▲                                                      │  ▲
 *          │   │ every datapoint missing and treatMissingData=missing │  │
 *          ▼   │                                                      ▼  │
 *          OK ◄───────── fewer than M breaching ──────────────────────┘  │
 *                        └──────────────── M of N breaching ─────────────┘
 *   SetAlarmState moves it anywhere until the next evaluation.
 *
 * Missing datapoints follow treatMissingData: `breaching` counts them as breaching, `notBreaching` as
 * within the threshold, `ignore` keeps the current state when all are missing, and `missing` (the default)
 * leaves them out — all missing ⇒ INSUFFICIENT_DATA. When some are present, `missing` and `ignore` judge
 * on the present ones only (AWS looks further back for them; we judge on what the window holds).
 *
 * Who writes what: the evaluator (src/telemetry/alarms.ts) is the only writer of an alarm's state apart
 * from SetAlarmState; PutMetricAlarm writes configuration and leaves the state alone.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type Comparison = 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

export interface AlarmRule {
  comparison: Comparison;
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  treatMissingData?: 'breaching' | 'notBreaching' | 'ignore' | 'missing';
}

export interface Verdict {
  state: AlarmState;
  reason: string;
  /** The datapoints that decided it, for StateReasonData (recentDatapoints). */
  recent: number[];
}

export function breaches(c: Comparison, v: number, threshold: number): boolean {
  switch (c) {
    case 'GreaterThanOrEqualToThreshold': return v >= threshold;
    case 'GreaterThanThreshold': return v > threshold;
    case 'LessThanThreshold': return v < threshold;
    case 'LessThanOrEqualToThreshold': return v <= threshold;
  }
}

const SYMBOL: Record<Comparison, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function evaluateAlarm(rule: AlarmRule, datapoints: (number | undefined)[], current: AlarmState): Verdict {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm ?? n;
  const treat = rule.treatMissingData ?? 'missing';
  const present = datapoints.filter((d): d is number => d !== undefined && !Number.isNaN(d));
  const missing = datapoints.length - present.length;
  const recent = present.slice(-Math.max(m, 1)).reverse();
  if (present.length === 0) {
    if (treat === 'breaching') return { state: 'ALARM', reason: `Threshold Crossed: no datapoints were received for ${n} period${n === 1 ? '' : 's'} and ${n} missing datapoint${n === 1 ? ' was' : 's were'} treated as [Breaching].`, recent };
    if (treat === 'notBreaching') return { state: 'OK', reason: `Threshold Crossed: no datapoints were received for ${n} period${n === 1 ? '' : 's'} and ${n} missing datapoint${n === 1 ? ' was' : 's were'} treated as [NonBreaching].`, recent };
    if (treat === 'ignore') return { state: current, reason: 'no datapoints were received; the current state is kept (treatMissingData=ignore).', recent };
    return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${n} datapoint${n === 1 ? ' was' : 's were'} unknown.`, recent };
  }
  let breaching = present.filter((v) => breaches(rule.comparison, v, rule.threshold)).length;
  if (treat === 'breaching') breaching += missing;
  const shown = `[${recent.map((v) => fmt(v)).join(', ')}]`;
  const th = `the threshold (${fmt(rule.threshold)})`;
  if (breaching >= m) {
    return { state: 'ALARM', reason: `Threshold Crossed: ${breaching} out of the last ${n} datapoints ${shown} ${breaching === 1 ? 'was' : 'were'} ${SYMBOL[rule.comparison]} ${th} (minimum ${m} datapoint${m === 1 ? '' : 's'} for OK -> ALARM transition).`, recent };
  }
  return { state: 'OK', reason: `Threshold Crossed: ${n - breaching} out of the last ${n} datapoints ${shown} ${n - breaching === 1 ? 'was' : 'were'} not ${SYMBOL[rule.comparison]} ${th} (minimum ${m} datapoint${m === 1 ? '' : 's'} for ALARM -> OK transition).`, recent };
}

const fmt = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));
