/**
 * EventBridge delivery: takes events from the buses' outboxes (/events/outbox/, written by PutEvents and
 * by the dispatcher with ECS task state changes) to the targets of the rules that match them.
 *
 *   outbox entry ─► rules of its bus that match (model/events/route.ts) ─► each target not yet done
 *     ─► all done: entry deleted (guarded on the version read)
 *     ─► some failed: `delivery` records the done ones, the attempt count and the next attempt time
 *        (back-off 1 s, 2 s, 4 s … capped at 5 min); past the target's RetryPolicy
 *        (MaximumRetryAttempts, default 185; MaximumEventAgeInSeconds, default 86,400) the event is
 *        dropped with a warning in the server log
 *
 * Naive approach: deliver from PutEvents' request and from the dispatcher directly. A crash between the
 * state change and the delivery would lose the event, and a slow target would hold up the API; so both
 * only write the outbox (durably, in their own transaction) and this controller delivers at least once:
 * a crash after a delivery and before the entry's removal delivers it again.
 *
 * Each pass first puts in the outbox the Scheduled Events of schedule rules that are due (schedules.ts),
 * the invocations of EventBridge Scheduler schedules that are due (scheduler.ts), and the events of
 * container instances, services, deployments and alarms that changed (ecs-feed.ts).
 *
 * Entries are taken in commit order (createRevision), so one task's events reach a target in order.
 * Targets Wharf delivers to: CloudWatch Logs log groups (arn:aws:logs:…:log-group:NAME), one log stream
 * per event named by its id (a choice: EventBridge does not document its stream names); ECS clusters with EcsParameters (RunTask, ecs-target.ts);
 * other event buses (the event goes into that bus's outbox).
 * Other target kinds are not delivered yet: the event is dropped for that target with a warning.
 */
import type { Logger } from 'pino';
import type { Target } from '@aws-sdk/client-eventbridge';
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { Store } from '../../store/store.js';
import { isApiError } from '../../model/errors.js';
import { eventsKeys, type OutboxEvent, type RuleRecord } from '../../model/events/records.js';
import { rulesMatching } from '../../model/events/route.js';
import { targetPayload } from '../../model/events/target-input.js';
import { fireSchedules } from './schedules.js';
import { fireSchedulerSchedules } from './scheduler.js';
import { feedResourceEvents, type AlarmChangesSource } from './ecs-feed.js';
import { stopTimedOutTasks } from './task-timeouts.js';
import { invokeSchedulerTarget, INVOCATION_ID } from './scheduler-target.js';
import { runEcsTarget, UnsupportedTarget } from './ecs-target.js';
import type { ClusterCache } from '../shared/placement-commit.js';

/** The part of CloudWatch Logs delivery needs (the region's LogsBackend has it). */
export interface LogSink {
  groupOfArn(arn: string): string;
  createLogStream(group: string, stream: string, now: number): void;
  putLogEvents(group: string, stream: string, events: { timestamp: number; message: string }[], now: number): unknown;
}

export interface DeliveryOptions {
  store: Store;
  logs: LogSink;
  /** The region and account of the events this controller makes (schedule rules' Scheduled Events). */
  scope: { region: string; accountId: string };
  clock: () => Date;
  log: Logger;
  /**
   * EventBridge's CloudWatch metrics (namespace AWS/Events, dimension RuleName): TriggeredRules,
   * Invocations, FailedInvocations (a failed attempt; retries count again), once per pass.
   */
  putMetrics?: (namespace: string, data: MetricDatum[], now: Date) => void;
  /** Test-only (WHARF_TEST_FAULT=events:before-delivery): called before each delivery to a target. */
  faultPoint?: (name: string) => void;
  /** The region's alarm state changes (CloudWatch Alarm State Change events); without it none are sent. */
  alarmChanges?: AlarmChangesSource;
  /** Placement in the region (ECS RunTask targets); without it ECS targets are skipped. */
  placement?: ClusterCache;
  /** How often entries waiting for a retry are looked at; new entries are taken at once (watch). Default 1 s. */
  tickMs?: number;
}

/** EventBridge's defaults for a target without a RetryPolicy. */
const DEFAULT_RETRY = { attempts: 185, maxAgeSeconds: 86_400 };
const MAX_BACKOFF_MS = 5 * 60_000;
/** How often the resource feed and the task timeout sweep run at most (the 1 s tick runs them anyway). */
const SWEEP_MS = 250;


export class EventDelivery {
  private running = false;
  private again = false;
  private lastSweep = -Infinity;

  constructor(private readonly o: DeliveryOptions) {}

  start(signal: AbortSignal): void {
    const kick = () => { void this.pass(); };
    this.o.store.watch(eventsKeys.outboxAll(), (events) => { if (events.some((e) => e.type === 'put')) kick(); }, { signal });
    const timer = setInterval(kick, this.o.tickMs ?? 1000);
    timer.unref();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    kick();
  }

  /** One pass over every outbox; passes never overlap (a kick during a pass runs one more). */
  async pass(): Promise<void> {
    if (this.running) { this.again = true; return; }
    this.running = true;
    try {
      do {
        this.again = false;
        await fireSchedules(this.o.store, this.o.clock().getTime(), this.o.scope);
        await fireSchedulerSchedules(this.o.store, this.o.clock().getTime(), { scope: this.o.scope });
        // The sweeps read every instance, service and task: at most every SWEEP_MS (passes also run on
        // every outbox write, which under load is far more often).
        if (performance.now() - this.lastSweep >= SWEEP_MS) {
          this.lastSweep = performance.now();
          await feedResourceEvents(this.o.store, this.o.clock().getTime(), { scope: this.o.scope, alarmChanges: this.o.alarmChanges });
          await stopTimedOutTasks(this.o.store, this.o.clock().getTime());
        }
        await this.deliverAll();
      } while (this.again);
    } catch (err) {
      this.o.log.error({ err }, 'event delivery pass failed');
    } finally {
      this.running = false;
    }
  }

  private async deliverAll(): Promise<void> {
    const counts = new Map<string, { TriggeredRules: number; Invocations: number; FailedInvocations: number }>();
    const count = (rule: string, k: 'TriggeredRules' | 'Invocations' | 'FailedInvocations') => {
      let c = counts.get(rule);
      if (!c) counts.set(rule, (c = { TriggeredRules: 0, Invocations: 0, FailedInvocations: 0 }));
      c[k] += 1;
    };
    try {
      await this.deliverEntries(count);
    } finally {
      if (counts.size > 0 && this.o.putMetrics) {
        const at = this.o.clock();
        const data: MetricDatum[] = [...counts].flatMap(([rule, c]) => (['TriggeredRules', 'Invocations', 'FailedInvocations'] as const)
          .filter((k) => c[k] > 0).map((k) => ({ MetricName: k, Dimensions: [{ Name: 'RuleName', Value: rule }], Value: c[k], Unit: 'Count' as const, Timestamp: at })));
        this.o.putMetrics('AWS/Events', data, at);
      }
    }
  }

  private async deliverEntries(count: (rule: string, k: 'TriggeredRules' | 'Invocations' | 'FailedInvocations') => void): Promise<void> {
    const kvs = [...(await this.o.store.range(eventsKeys.outboxAll())).kvs].sort((a, b) => a.createRevision - b.createRevision);
    const rules = new Map<string, RuleRecord[]>();
    for (const kv of kvs) {
      const rec = JSON.parse(kv.value) as OutboxEvent;
      const now = this.o.clock().getTime();
      if (rec.delivery && rec.delivery.nextAttemptAt > now) continue;
      let busRules = rules.get(rec.eventBusName);
      if (!busRules) {
        busRules = (await this.o.store.range(eventsKeys.rules(rec.eventBusName))).kvs.map((r) => JSON.parse(r.value) as RuleRecord);
        rules.set(rec.eventBusName, busRules);
      }
      const done = new Set(rec.delivery?.done ?? []);
      const failed: { target: Pick<Target, 'Arn' | 'RetryPolicy'> }[] = [];
      if (rec.invoke && !done.has(INVOCATION_ID)) {
        const inv = rec.invoke;
        this.o.faultPoint?.('events:before-delivery');
        try {
          await invokeSchedulerTarget({ store: this.o.store, placement: this.o.placement, scope: this.o.scope, log: this.o.log }, rec, (rec.delivery?.attempts ?? 0) + 1, now);
          done.add(INVOCATION_ID);
        } catch (err) {
          if (err instanceof UnsupportedTarget) {
            this.o.log.warn({ schedule: inv.scheduleArn, target: inv.target.Arn }, err.message);
            done.add(INVOCATION_ID);
          } else {
            this.o.log.warn({ err, schedule: inv.scheduleArn, target: inv.target.Arn }, 'schedule invocation failed; will retry');
            failed.push({ target: inv.target });
          }
        }
      }
      const takers = rec.invoke ? [] : rec.rule !== undefined ? busRules.filter((r) => r.name === rec.rule && r.state !== 'DISABLED') : rulesMatching(busRules, rec.event);
      for (const rule of takers) {
        if (rule.targets.some((t) => !done.has(`${rule.name}/${t.Id}`))) count(rule.name, 'TriggeredRules');
        for (const target of rule.targets) {
          const id = `${rule.name}/${target.Id}`;
          if (done.has(id)) continue;
          this.o.faultPoint?.('events:before-delivery');
          try {
            await this.deliver(rule, target, rec, now);
            done.add(id);
            count(rule.name, 'Invocations');
          } catch (err) {
            if (err instanceof UnsupportedTarget) {
              count(rule.name, 'FailedInvocations');
              this.o.log.warn({ rule: rule.arn, target: target.Arn, eventId: rec.event.id }, err.message);
              done.add(id);
            } else {
              this.o.log.warn({ err, rule: rule.arn, target: target.Arn, eventId: rec.event.id }, 'event delivery to a target failed; will retry');
              failed.push({ target });
              count(rule.name, 'FailedInvocations');
            }
          }
        }
      }
      const guard = [{ key: kv.key, target: 'version' as const, op: '==' as const, value: kv.version }];
      // The entry goes with the markers of its RunTask deliveries (ecs-target.ts).
      const removal = [{ type: 'delete' as const, key: kv.key }, ...[...done].map((d) => {
        const [r, ...t] = d.split('/');
        return { type: 'delete' as const, key: eventsKeys.delivered(rec.event.id, r, t.join('/')) };
      })];
      if (failed.length === 0) {
        await this.o.store.txn({ compare: guard, success: removal });
        continue;
      }
      const attempts = (rec.delivery?.attempts ?? 0) + 1;
      const maxAttempts = Math.min(...failed.map((f) => f.target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY.attempts));
      const maxAgeMs = 1000 * Math.min(...failed.map((f) => f.target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_RETRY.maxAgeSeconds));
      if (attempts > maxAttempts || now - rec.receivedAt > maxAgeMs) {
        this.o.log.warn({ eventId: rec.event.id, targets: failed.map((f) => f.target.Arn), attempts }, 'event dropped: its targets failed past their retry policy');
        await this.o.store.txn({ compare: guard, success: removal });
        continue;
      }
      const next: OutboxEvent = { ...rec, delivery: { done: [...done], attempts, nextAttemptAt: now + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempts - 1)) } };
      await this.o.store.txn({ compare: guard, success: [{ type: 'put', key: kv.key, value: JSON.stringify(next) }] });
    }
  }

  private async deliver(rule: RuleRecord, target: Target, rec: OutboxEvent, now: number): Promise<void> {
    const arn = target.Arn!;
    const payload = targetPayload(target, rec.event, { name: rule.name, arn: rule.arn }, rec.receivedAt);
    if (/^arn:aws[\w-]*:logs:[^:]*:\d*:log-group:/.test(arn)) {
      const group = this.o.logs.groupOfArn(arn);
      const stream = rec.event.id;
      try {
        this.o.logs.createLogStream(group, stream, now);
      } catch (e) {
        if (!(isApiError(e) && e.code === 'ResourceAlreadyExistsException')) throw e;
      }
      const at = Date.parse(rec.event.time);
      this.o.logs.putLogEvents(group, stream, [{ timestamp: Number.isNaN(at) ? now : at, message: payload }], now);
      return;
    }
    const bus = /^arn:aws[\w-]*:events:[^:]+:\d{12}:event-bus\/(.+)$/.exec(arn);
    if (bus) {
      await this.forward(bus[1], rule, target, rec, now);
      return;
    }
    if (/^arn:aws[\w-]*:ecs:[^:]+:\d{12}:cluster\//.test(arn) && target.EcsParameters) {
      if (!this.o.placement) throw new UnsupportedTarget('ECS targets are not run by this server');
      const started = await runEcsTarget({ store: this.o.store, placement: this.o.placement, scope: this.o.scope }, {
        clusterArn: arn, params: target.EcsParameters, payload, startedBy: `events-rule/${rule.name}`, markerKey: eventsKeys.delivered(rec.event.id, rule.name, target.Id!), now,
      });
      if (started === 'skipped') this.o.log.info({ rule: rule.arn, eventId: rec.event.id }, 'event target skipped: a task of its previous run is still going (wharf:overlap skip)');
      else this.o.log.info({ rule: rule.arn, eventId: rec.event.id, started }, 'event target ran ECS tasks');
      return;
    }
    throw new UnsupportedTarget(`Wharf does not deliver to this kind of target yet (${arn.split(':')[2] ?? arn}); only CloudWatch Logs log groups, ECS clusters (EcsParameters) and event buses`);
  }

  /**
   * An event bus target: the event (unchanged, as EventBridge forwards it) goes into that bus's outbox,
   * where that bus's rules take it. The key is fixed per (event, rule, target) and created only once, so
   * a retried delivery does not forward twice while the first copy waits. A rule cannot send to its own
   * bus (a loop).
   */
  private async forward(busName: string, rule: RuleRecord, target: Target, rec: OutboxEvent, now: number): Promise<void> {
    if (busName === rec.eventBusName) throw new UnsupportedTarget(`a rule cannot send events to its own bus (${busName})`);
    if (busName !== 'default' && !(await this.o.store.get(eventsKeys.bus(busName)))) throw new Error(`event bus ${busName} does not exist`);
    const key = eventsKeys.outbox(busName, rec.receivedAt, `${rec.event.id}-${rule.name}-${target.Id}`);
    const copy: OutboxEvent = { eventBusName: busName, event: rec.event, receivedAt: now };
    await this.o.store.txn({ compare: [{ key, target: 'createRevision', op: '==', value: 0 }], success: [{ type: 'put', key, value: JSON.stringify(copy) }] });
  }
}
