import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Target } from '@aws-sdk/client-eventbridge';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { ApiError } from '../../model/errors.js';
import { eventsKeys, type BusEvent, type OutboxEvent, type RuleRecord } from '../../model/events/records.js';
import { targetPayload } from '../../model/events/target-input.js';
import { EventDelivery, type LogSink } from './delivery.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-events-delivery-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A log sink that records what it was given, and fails while `failing` is set. */
function sink() {
  const streams = new Map<string, { timestamp: number; message: string }[]>();
  const s = {
    failing: false,
    streams,
    groupOfArn: (arn: string) => arn.split(':log-group:')[1]!,
    createLogStream(group: string, stream: string) {
      if (s.failing) throw new ApiError('ResourceNotFoundException', 'The specified log group does not exist.');
      if (streams.has(`${group}|${stream}`)) throw new ApiError('ResourceAlreadyExistsException', 'The specified log stream already exists');
      streams.set(`${group}|${stream}`, []);
    },
    putLogEvents(group: string, stream: string, events: { timestamp: number; message: string }[]) { streams.get(`${group}|${stream}`)!.push(...events); },
  };
  return s satisfies LogSink & { failing: boolean };
}

const event = (detail: unknown, id = `e-${++n}`): BusEvent => ({
  version: '0', id, 'detail-type': 'ECS Task State Change', source: 'aws.ecs', account: '000000000000', time: '2026-12-04T10:00:00Z',
  region: 'us-east-1', resources: ['arn:aws:ecs:us-east-1:000000000000:task/c/t1'], detail,
});

function rule(name: string, pattern: unknown, targets: Target[]): RuleRecord {
  return {
    name, arn: `arn:aws:events:us-east-1:000000000000:rule/${name}`, eventBusName: 'default', eventPattern: JSON.stringify(pattern), state: 'ENABLED',
    createdBy: '000000000000', tags: {}, targets, createdAt: Date.parse('2026-12-04T10:00:00Z'),
  };
}

async function setup(rules: RuleRecord[]) {
  const store = new SqliteStore(join(dir, `s${++n}.db`));
  for (const r of rules) await store.txn({ success: [{ type: 'put', key: eventsKeys.rule('default', r.name), value: JSON.stringify(r) }] });
  const logs = sink();
  let now = Date.parse('2026-12-04T10:00:00Z');
  const metrics: { ns: string; name: string; rule: string; value: number }[] = [];
  const d = new EventDelivery({ store, logs, scope: { region: 'us-east-1', accountId: '000000000000' }, clock: () => new Date(now), log: pino({ level: 'silent' }),
    putMetrics: (ns, data) => { for (const m of data) metrics.push({ ns, name: m.MetricName!, rule: m.Dimensions![0].Value!, value: m.Value! }); } });
  const put = async (e: BusEvent) => {
    const rec: OutboxEvent = { eventBusName: 'default', event: e, receivedAt: now };
    await store.txn({ success: [{ type: 'put', key: eventsKeys.outbox('default', now, e.id), value: JSON.stringify(rec) }] });
  };
  const outbox = async () => (await store.range(eventsKeys.outboxAll())).kvs.map((kv) => JSON.parse(kv.value) as OutboxEvent);
  return { store, logs, d, put, outbox, metrics, advance: (ms: number) => { now += ms; } };
}

const stopped = { lastStatus: ['STOPPED'], containers: { exitCode: [{ 'anything-but': 0 }] } };
const group = 'arn:aws:logs:us-east-1:000000000000:log-group:/failed';

describe('event delivery', () => {
  it('a matched event reaches its log group (one stream per event id) and leaves the outbox; an unmatched one is dropped', async () => {
    const t = await setup([rule('failed', { detail: stopped }, [{ Id: 'logs', Arn: group }])]);
    const failed = event({ lastStatus: 'STOPPED', containers: [{ exitCode: 1 }] });
    await t.put(failed);
    await t.put(event({ lastStatus: 'STOPPED', containers: [{ exitCode: 0 }] }));
    await t.d.pass();
    assert.deepEqual([...t.logs.streams.keys()], [`/failed|${failed.id}`]);
    assert.deepEqual(JSON.parse(t.logs.streams.get(`/failed|${failed.id}`)![0].message), failed);
    assert.equal(t.logs.streams.get(`/failed|${failed.id}`)![0].timestamp, Date.parse(failed.time));
    assert.deepEqual(await t.outbox(), []);
    assert.deepEqual(t.metrics, [
      { ns: 'AWS/Events', name: 'TriggeredRules', rule: 'failed', value: 1 },
      { ns: 'AWS/Events', name: 'Invocations', rule: 'failed', value: 1 },
    ]);
    await t.store.close();
  });

  it('a failing target is retried with back-off; targets that took the event do not get it twice', async () => {
    const other = 'arn:aws:logs:us-east-1:000000000000:log-group:/other';
    const t = await setup([rule('a', { source: ['aws.ecs'] }, [{ Id: 'one', Arn: group }, { Id: 'two', Arn: other }])]);
    const e = event({ lastStatus: 'STOPPED' });
    await t.put(e);
    let failuresLeft = 2;
    const create = t.logs.createLogStream;
    t.logs.createLogStream = (g, s) => { if (g === '/other' && failuresLeft-- > 0) throw new ApiError('ResourceNotFoundException', 'The specified log group does not exist.'); create(g, s); };
    await t.d.pass();
    const [waiting] = await t.outbox();
    assert.deepEqual(waiting.delivery, { done: ['a/one'], attempts: 1, nextAttemptAt: Date.parse('2026-12-04T10:00:01Z') });
    await t.d.pass();
    assert.equal((await t.outbox())[0].delivery?.attempts, 1, 'not before nextAttemptAt');
    t.advance(1000);
    await t.d.pass();
    assert.equal((await t.outbox())[0].delivery?.attempts, 2);
    assert.equal((await t.outbox())[0].delivery?.nextAttemptAt, Date.parse('2026-12-04T10:00:03Z'), '2 s after the second failure');
    t.advance(2000);
    await t.d.pass();
    assert.deepEqual(await t.outbox(), []);
    assert.equal(t.logs.streams.get(`/failed|${e.id}`)!.length, 1, 'delivered once to the target that worked the first time');
    assert.equal(t.logs.streams.get(`/other|${e.id}`)!.length, 1);
    const sum = (name: string) => t.metrics.filter((m) => m.name === name).reduce((n, m) => n + m.value, 0);
    assert.deepEqual([sum('Invocations'), sum('FailedInvocations')], [2, 2], 'two deliveries, two failed attempts');
    await t.store.close();
  });

  it('past the RetryPolicy the event is dropped; a target kind Wharf does not deliver to is skipped', async () => {
    const t = await setup([
      rule('r', { source: ['aws.ecs'] }, [{ Id: 'logs', Arn: group, RetryPolicy: { MaximumRetryAttempts: 1 } }, { Id: 'sqs', Arn: 'arn:aws:sqs:us-east-1:000000000000:q' }]),
    ]);
    t.logs.failing = true;
    await t.put(event({}));
    await t.d.pass();
    assert.equal((await t.outbox())[0].delivery?.attempts, 1);
    assert.deepEqual((await t.outbox())[0].delivery?.done, ['r/sqs']);
    t.advance(1000);
    await t.d.pass();
    assert.deepEqual(await t.outbox(), [], 'dropped after MaximumRetryAttempts');
    await t.store.close();
  });

  it('disabled rules and rules without targets take nothing', async () => {
    const off = { ...rule('off', { source: ['aws.ecs'] }, [{ Id: 'logs', Arn: group }]), state: 'DISABLED' as const };
    const t = await setup([off]);
    await t.put(event({}));
    await t.d.pass();
    assert.equal(t.logs.streams.size, 0);
    assert.deepEqual(await t.outbox(), []);
    await t.store.close();
  });
});

describe('target input', () => {
  const e = event({ taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/t1', containers: [{ name: 'app', exitCode: 3 }] }, 'id-1');
  const r = { name: 'failed', arn: 'arn:aws:events:us-east-1:000000000000:rule/failed' };
  it('the event by default; Input as given; InputPath selects', () => {
    assert.deepEqual(JSON.parse(targetPayload({}, e, r, 0)), e);
    assert.equal(targetPayload({ Input: '{"fixed":true}' }, e, r, 0), '{"fixed":true}');
    assert.equal(targetPayload({ InputPath: '$.detail.containers[0].exitCode' }, e, r, 0), '3');
    assert.equal(targetPayload({ InputPath: '$.detail.nope' }, e, r, 0), 'null');
  });
  it('InputTransformer fills the template: strings as escaped text, others as JSON, reserved names', () => {
    const out = targetPayload({ InputTransformer: {
      InputPathsMap: { task: '$.detail.taskArn', code: '$.detail.containers[0].exitCode', c: '$.detail.containers[0]' },
      InputTemplate: '{"text": "<task> exited <code>", "code": <code>, "container": <c>, "rule": "<aws.events.rule-name>", "keep": "<unknown>"}',
    } }, e, r, 0);
    assert.deepEqual(JSON.parse(out), {
      text: 'arn:aws:ecs:us-east-1:000000000000:task/c/t1 exited 3', code: 3, container: { name: 'app', exitCode: 3 }, rule: 'failed', keep: '<unknown>',
    });
    assert.equal(targetPayload({ InputTransformer: { InputPathsMap: { q: '$.detail.q' }, InputTemplate: '"say <q>"' } }, event({ q: 'a "b"' }), r, 0), '"say a \\"b\\""');
  });
});

describe('schedule rules', () => {
  const sched = (name: string, expr: string, targets: Target[], state: RuleRecord['state'] = 'ENABLED'): RuleRecord =>
    ({ ...rule(name, {}, targets), eventPattern: undefined, scheduleExpression: expr, state });
  const messages = (t: Awaited<ReturnType<typeof setup>>, g: string) =>
    [...t.logs.streams].filter(([k]) => k.startsWith(`${g}|`)).flatMap(([, evs]) => evs.map((e) => JSON.parse(e.message) as BusEvent));

  it('rate(): a Scheduled Event to the rule\'s targets at each fire time, counted from when the schedule was first seen', async () => {
    const t = await setup([
      sched('every5', 'rate(5 minutes)', [{ Id: 'logs', Arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/sched' }]),
      // A pattern rule that would match the Scheduled Event does not get it: it goes to its rule only.
      rule('all-aws-events', { source: ['aws.events'] }, [{ Id: 'logs', Arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/pattern' }]),
    ]);
    await t.d.pass();
    assert.deepEqual(messages(t, '/sched'), [], 'nothing at first sight');
    t.advance(4 * 60_000 + 59_000);
    await t.d.pass();
    assert.deepEqual(messages(t, '/sched'), []);
    t.advance(1000);
    await t.d.pass();
    const [e] = messages(t, '/sched');
    assert.deepEqual({ ...e, id: undefined }, {
      version: '0', id: undefined, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', time: '2026-12-04T10:05:00Z',
      region: 'us-east-1', resources: ['arn:aws:events:us-east-1:000000000000:rule/every5'], detail: {},
    });
    await t.d.pass();
    t.advance(60_000);
    await t.d.pass();
    assert.equal(messages(t, '/sched').length, 1, 'once per fire time');
    t.advance(4 * 60_000);
    await t.d.pass();
    assert.deepEqual(messages(t, '/sched').map((m) => m.time), ['2026-12-04T10:05:00Z', '2026-12-04T10:10:00Z']);
    assert.deepEqual(messages(t, '/pattern'), []);
    await t.store.close();
  });

  it('cron() fires at its minute (UTC); a disabled schedule rule lets its fire times pass', async () => {
    const t = await setup([
      sched('nightly', 'cron(5 10 * * ? *)', [{ Id: 'logs', Arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/cron' }]),
      sched('off', 'cron(5 10 * * ? *)', [{ Id: 'logs', Arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/off' }], 'DISABLED'),
    ]);
    await t.d.pass();
    t.advance(4 * 60_000 + 30_000);
    await t.d.pass();
    assert.deepEqual(messages(t, '/cron'), []);
    t.advance(40_000);
    await t.d.pass();
    assert.deepEqual(messages(t, '/cron').map((m) => m.time), ['2026-12-04T10:05:00Z']);
    assert.deepEqual(messages(t, '/off'), []);
    await t.store.close();
  });
});

describe('ECS targets: the input as RunTask overrides', () => {
  it('a JSON object with override members is the overrides; anything else is none', async () => {
    const { overridesOf } = await import('./ecs-target.js');
    assert.deepEqual(overridesOf('{"containerOverrides":[{"name":"main","environment":[{"name":"A","value":"1"}]}],"cpu":"256","other":1}'),
      { containerOverrides: [{ name: 'main', environment: [{ name: 'A', value: '1' }] }], cpu: '256' });
    assert.equal(overridesOf(JSON.stringify(event({}))), undefined, 'the event itself (no input set) carries no overrides');
    assert.equal(overridesOf('"text"'), undefined);
    assert.equal(overridesOf('not json'), undefined);
  });
});

describe('event bus targets', () => {
  it('a rule on one bus forwards the event to another bus, whose rules take it; never to its own bus', async () => {
    const t = await setup([
      rule('forward', { source: ['aws.ecs'] }, [
        { Id: 'to-ops', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/ops' },
        { Id: 'to-self', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' },
      ]),
    ]);
    await t.store.txn({ success: [
      { type: 'put', key: eventsKeys.bus('ops'), value: JSON.stringify({ name: 'ops', arn: 'arn:aws:events:us-east-1:000000000000:event-bus/ops', createdAt: 1, lastModifiedAt: 1, tags: {} }) },
      { type: 'put', key: eventsKeys.rule('ops', 'ops-logs'), value: JSON.stringify({ ...rule('ops-logs', { detail: { lastStatus: ['STOPPED'] } }, [{ Id: 'logs', Arn: group }]), eventBusName: 'ops' }) },
    ] });
    const e = event({ lastStatus: 'STOPPED' });
    await t.put(e);
    await t.d.pass();
    await t.d.pass();
    assert.deepEqual(JSON.parse(t.logs.streams.get(`/failed|${e.id}`)![0].message), e, 'the same event, through the ops bus');
    assert.deepEqual(await t.outbox(), []);
    assert.equal(t.metrics.filter((m) => m.rule === 'forward' && m.name === 'FailedInvocations').length, 1, 'the self-target counts as failed');
    await t.store.close();
  });
});
