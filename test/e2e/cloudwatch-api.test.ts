/**
 * CloudWatch end to end in every protocol current clients speak: @aws-sdk/client-cloudwatch forced to
 * awsQuery, awsJson1_0 and rpcv2Cbor, plus the real AWS CLI 2.9 (awsQuery). PutMetricData → GetMetricData
 * (metric math) / GetMetricStatistics / ListMetrics; alarms through ALARM and back to OK; bad input gets
 * AWS's errors; `promtool check metrics` accepts /metrics.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand, GetMetricStatisticsCommand,
  ListMetricsCommand, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { AwsJson1_0Protocol, AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { startServerProcess, type TestServer } from '../support/server.js';

let server: TestServer;
before(async () => { server = await startServerProcess({ env: { WHARF_ALARM_EVAL_MS: '500' } }); });
after(async () => { await server?.stop(); server?.cleanup(); });

const PROTOCOLS = { awsQuery: AwsQueryProtocol, awsJson1_0: AwsJson1_0Protocol, rpcv2Cbor: AwsSmithyRpcV2CborProtocol } as const;

function client(protocol: keyof typeof PROTOCOLS): CloudWatchClient {
  return new CloudWatchClient({
    endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1,
    protocol: PROTOCOLS[protocol] as never,
    protocolSettings: {
      defaultNamespace: 'com.amazonaws.cloudwatch', xmlNamespace: 'http://monitoring.amazonaws.com/doc/2010-08-01/', version: '2010-08-01',
      serviceTarget: 'GraniteServiceVersion20100801', awsQueryCompatible: true,
    } as never,
  });
}

const minuteAgo = () => new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);

for (const protocol of Object.keys(PROTOCOLS) as (keyof typeof PROTOCOLS)[]) {
  test(`metrics round trip and metric math over ${protocol}`, async () => {
    const cw = client(protocol);
    const ns = `Test/${protocol}`;
    const t = minuteAgo();
    await cw.send(new PutMetricDataCommand({
      Namespace: ns,
      MetricData: [
        { MetricName: 'Latency', Dimensions: [{ Name: 'Svc', Value: 'a' }], Timestamp: t, Value: 10, Unit: 'Milliseconds' },
        { MetricName: 'Latency', Dimensions: [{ Name: 'Svc', Value: 'a' }], Timestamp: t, Values: [20, 30], Counts: [1, 2], Unit: 'Milliseconds' },
        { MetricName: 'Latency', Dimensions: [{ Name: 'Svc', Value: 'b' }], Timestamp: t, StatisticValues: { SampleCount: 2, Sum: 8, Minimum: 3, Maximum: 5 }, Unit: 'Milliseconds' },
      ],
    }));
    const stats = await cw.send(new GetMetricStatisticsCommand({
      Namespace: ns, MetricName: 'Latency', Dimensions: [{ Name: 'Svc', Value: 'a' }], StartTime: new Date(t.getTime() - 60_000), EndTime: new Date(t.getTime() + 60_000),
      Period: 60, Statistics: ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'],
    }));
    assert.equal(stats.Datapoints!.length, 1);
    const d = stats.Datapoints![0];
    assert.deepEqual([d.SampleCount, d.Sum, d.Minimum, d.Maximum, d.Average], [4, 90, 10, 30, 22.5]);
    assert.equal(d.Timestamp!.getTime(), t.getTime());

    const m = (id: string, v: string) => ({ Id: id, ReturnData: false, MetricStat: { Metric: { Namespace: ns, MetricName: 'Latency', Dimensions: [{ Name: 'Svc', Value: v }] }, Period: 60, Stat: 'Sum' } });
    const data = await cw.send(new GetMetricDataCommand({
      StartTime: new Date(t.getTime() - 60_000), EndTime: new Date(t.getTime() + 60_000),
      MetricDataQueries: [m('a', 'a'), m('b', 'b'),
        { Id: 'total', Expression: 'SUM(METRICS())' }, { Id: 'avg', Expression: 'AVG([a, b])' }, { Id: 'mx', Expression: 'MAX([a, b])' },
        { Id: 'mn', Expression: 'MIN([a,b])' }, { Id: 'arith', Expression: '(a - b) * 2 / 4 + 1' }, { Id: 'scalar', Expression: 'SUM(a)' }],
    }));
    const byId = Object.fromEntries(data.MetricDataResults!.map((r) => [r.Id, r.Values]));
    assert.deepEqual(byId, { total: [98], avg: [49], mx: [90], mn: [8], arith: [42], scalar: [90] });

    const list = await cw.send(new ListMetricsCommand({ Namespace: ns }));
    assert.equal(list.Metrics!.length, 2);
    const filtered = await cw.send(new ListMetricsCommand({ Namespace: ns, Dimensions: [{ Name: 'Svc', Value: 'b' }] }));
    assert.deepEqual(filtered.Metrics, [{ Namespace: ns, MetricName: 'Latency', Dimensions: [{ Name: 'Svc', Value: 'b' }] }]);

    // Bad input: AWS's error names, whatever the protocol.
    await assert.rejects(cw.send(new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: [{ MetricName: 'x', Value: 1 }] })), (e: Error) => { assert.match(e.name, /InvalidParameterValue/); return true; });
    await assert.rejects(cw.send(new GetMetricStatisticsCommand({ Namespace: ns, MetricName: 'Latency', StartTime: new Date(0), EndTime: new Date(), Period: 60, Statistics: ['Sum'] })),
      (e: Error) => { assert.match(e.name, /InvalidParameterCombination/); return true; });
    await assert.rejects(cw.send(new GetMetricDataCommand({ StartTime: t, EndTime: new Date(), MetricDataQueries: [{ Id: 'e', Expression: 'SUM(nope' }] })),
      (e: Error) => { assert.match(e.name, /Validation(Error|Exception)/); return true; });
    await assert.rejects(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['no-such-alarm'] })), (e: Error) => { assert.match(e.name, /ResourceNotFound/); return true; });
    cw.destroy();
  });

  test(`alarm goes to ALARM and back to OK over ${protocol}`, async () => {
    const cw = client(protocol);
    const ns = `Alarm/${protocol}`;
    const name = `high-${protocol}`;
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: name, Namespace: ns, MetricName: 'Load', Statistic: 'Maximum', Period: 10, EvaluationPeriods: 2, DatapointsToAlarm: 1,
      Threshold: 50, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    }));
    let a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0];
    assert.ok(['INSUFFICIENT_DATA', 'OK'].includes(a.StateValue!));
    const until = async (state: string, push?: number) => {
      const deadline = Date.now() + 40_000;
      for (;;) {
        if (push !== undefined) await cw.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: 'Load', Value: push, StorageResolution: 1 }] }));
        a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0];
        if (a.StateValue === state) return;
        if (Date.now() > deadline) assert.fail(`alarm stayed ${a.StateValue}: ${a.StateReason}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    await until('ALARM', 90);
    assert.match(a.StateReason!, /Threshold Crossed/);
    await until('OK', 10);
    // SetAlarmState moves it until the next evaluation.
    await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'testing' }));
    const hist = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: 'StateUpdate' }));
    const summaries = hist.AlarmHistoryItems!.map((h) => h.HistorySummary);
    assert.ok(summaries.includes('Alarm updated from OK to ALARM'), summaries.join('; '));
    assert.ok(summaries.includes('Alarm updated from ALARM to OK'), summaries.join('; '));
    // An alarm on a metric nobody publishes is accepted and waits for data.
    await cw.send(new PutMetricAlarmCommand({ AlarmName: `${name}-nodata`, Namespace: ns, MetricName: 'Nothing', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }));
    const nd = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [`${name}-nodata`] }))).MetricAlarms![0];
    assert.equal(nd.StateValue, 'INSUFFICIENT_DATA');
    await assert.rejects(cw.send(new PutMetricAlarmCommand({ AlarmName: 'bad', Namespace: ns, MetricName: 'x', Statistic: 'Sum', Period: 7, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' })),
      (e: Error) => { assert.match(e.name, /Validation(Error|Exception)/); return true; });
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: [name, `${name}-nodata`] }));
    assert.equal((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: name }))).MetricAlarms!.length, 0);
    cw.destroy();
  });
}

test('the AWS CLI 2.9 (awsQuery) drives metrics and alarms', async () => {
  const t = minuteAgo().toISOString();
  let r = server.aws(['cloudwatch', 'put-metric-data', '--namespace', 'Cli/Test', '--metric-name', 'Hits', '--value', '7', '--timestamp', t, '--dimensions', 'Site=x']);
  assert.equal(r.status, 0, r.stderr);
  r = server.aws(['cloudwatch', 'get-metric-statistics', '--namespace', 'Cli/Test', '--metric-name', 'Hits', '--dimensions', 'Name=Site,Value=x',
    '--start-time', new Date(Date.parse(t) - 60_000).toISOString(), '--end-time', new Date(Date.parse(t) + 60_000).toISOString(), '--period', '60', '--statistics', 'Sum']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.json.Datapoints[0].Sum, 7);
  r = server.aws(['cloudwatch', 'list-metrics', '--namespace', 'Cli/Test']);
  assert.equal(r.json.Metrics[0].MetricName, 'Hits');
  r = server.aws(['cloudwatch', 'put-metric-alarm', '--alarm-name', 'cli-alarm', '--namespace', 'Cli/Test', '--metric-name', 'Hits', '--statistic', 'Sum',
    '--period', '60', '--evaluation-periods', '1', '--threshold', '5', '--comparison-operator', 'GreaterThanThreshold']);
  assert.equal(r.status, 0, r.stderr);
  r = server.aws(['cloudwatch', 'describe-alarms', '--alarm-names', 'cli-alarm']);
  assert.equal(r.json.MetricAlarms[0].AlarmName, 'cli-alarm');
  r = server.aws(['cloudwatch', 'set-alarm-state', '--alarm-name', 'cli-alarm', '--state-value', 'ALARM', '--state-reason', 'cli']);
  assert.equal(r.status, 0, r.stderr);
  r = server.aws(['cloudwatch', 'describe-alarm-history', '--alarm-name', 'cli-alarm']);
  assert.ok(r.json.AlarmHistoryItems.length >= 2);
  r = server.aws(['cloudwatch', 'put-metric-data', '--namespace', 'AWS/X', '--metric-name', 'Hits', '--value', '1']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /InvalidParameterValue/);
  r = server.aws(['cloudwatch', 'delete-alarms', '--alarm-names', 'cli-alarm']);
  assert.equal(r.status, 0, r.stderr);
});

test('promtool check metrics accepts /metrics', { skip: !existsSync('/usr/bin/promtool') && 'promtool not installed (Debian package prometheus)' }, async () => {
  const text = await (await fetch(`${server.endpoint}/metrics`)).text();
  assert.match(text, /wharf_http_requests_total/);
  assert.match(text, /wharf_process_cpu_seconds_total/);
  const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
