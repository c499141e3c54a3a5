import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { ElbMetrics, startElbMetrics } from './elb-metrics.js';
import type { ElbState, TrafficCounters } from '../model/elbv2/data-plane.js';
import type { ListenerRecord, LoadBalancerRecord, TargetGroupRecord, TargetRecord } from '../model/elbv2/records.js';

const lb = { name: 'web', id: '50dc6c495c0c9188', arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188' } as LoadBalancerRecord;
const tg = { name: 'api', id: '943f017f100becff', arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/943f017f100becff' } as TargetGroupRecord;
const listener = { lbName: 'web', id: 'l1', defaultActions: [{ Type: 'forward', TargetGroupArn: tg.arn }] } as unknown as ListenerRecord;
const target = (id: string, state?: string, drainUntil?: number) => ({
  key: `t/${id}`, value: { tgName: tg.name, tgArn: tg.arn, id, port: 80, address: id, registeredAt: 0, drainUntil, health: state ? { state, since: 0 } : undefined } as TargetRecord,
});
const state = (targets: ElbState['targets']): ElbState => ({ lbs: [lb], listeners: [listener], rules: [], tgs: [tg], targets });
const row = (kind: TrafficCounters['kind'], name: string, requests: number, r2 = requests, r5 = 0, extra: Partial<TrafficCounters> = {}): TrafficCounters => ({
  kind, name, requests, responses: [0, r2, 0, 0, r5], connections: requests, bytes: requests * 100, active: 0, responseTimeMs: 0, ...extra,
});
const value = (data: MetricDatum[], name: string, dims: string[]) => {
  const d = data.filter((x) => x.MetricName === name && JSON.stringify(x.Dimensions!.map((y) => y.Name)) === JSON.stringify(dims));
  assert.equal(d.length, 1, `one ${name} ${dims.join(',')}`);
  return d[0].Value ?? d[0].StatisticValues;
};

describe('AWS/ApplicationELB metrics from data plane counters', () => {
  it('counts what increased between readings, per load balancer and target group, with AWS dimension values', () => {
    const m = new ElbMetrics();
    m.sample([row('listener', 'l_web_l1', 1000), row('backend', 'tg_api', 900)]); // the base: not counted
    m.sample([row('listener', 'l_web_l1', 1030, 1025, 5, { responseTimeMs: 0 }), row('backend', 'tg_api', 1920, 1920, 0, { responseTimeMs: 12 })]);
    const data = m.publish(state([target('10.0.0.1', 'healthy'), target('10.0.0.2', 'healthy'), target('10.0.0.3', 'unhealthy'), target('10.0.0.4', 'healthy', 99)]), new Date(60_000));
    const tgDims = ['TargetGroup', 'LoadBalancer'];
    assert.deepEqual(data.find((d) => d.MetricName === 'RequestCount' && d.Dimensions!.length === 2)!.Dimensions,
      [{ Name: 'TargetGroup', Value: 'targetgroup/api/943f017f100becff' }, { Name: 'LoadBalancer', Value: 'app/web/50dc6c495c0c9188' }]);
    assert.equal(value(data, 'RequestCount', ['LoadBalancer']), 30);
    assert.equal(value(data, 'RequestCount', tgDims), 1020);
    // Per target: ÷ healthy targets (the draining one does not count).
    assert.equal(value(data, 'RequestCountPerTarget', tgDims), 510);
    assert.equal(value(data, 'RequestCountPerTarget', ['TargetGroup']), 510);
    assert.equal(value(data, 'HealthyHostCount', tgDims), 2);
    assert.equal(value(data, 'UnHealthyHostCount', tgDims), 1);
    assert.equal(value(data, 'HTTPCode_Target_2XX_Count', tgDims), 1020);
    assert.equal(value(data, 'HTTPCode_ELB_5XX_Count', ['LoadBalancer']), 5);
    assert.deepEqual(value(data, 'TargetResponseTime', tgDims), { SampleCount: 1020, Sum: 0.012 * 1020, Minimum: 0.012, Maximum: 0.012 });
    assert.equal(value(data, 'ProcessedBytes', ['LoadBalancer']), 3000);
    assert.ok(data.every((d) => d.Timestamp!.getTime() === 60_000));
  });

  it('a reload that restarts the counters loses nothing counted after it; an idle period publishes zeros', () => {
    const m = new ElbMetrics();
    m.sample([row('listener', 'l_web_l1', 500), row('backend', 'tg_api', 500)]);
    m.sample([row('listener', 'l_web_l1', 510), row('backend', 'tg_api', 510)]);
    m.sample([row('listener', 'l_web_l1', 4), row('backend', 'tg_api', 4)]); // new worker
    m.sample([row('listener', 'l_web_l1', 7), row('backend', 'tg_api', 7)]);
    const s = state([target('10.0.0.1', 'healthy')]);
    let data = m.publish(s, new Date(1));
    assert.equal(value(data, 'RequestCount', ['LoadBalancer']), 17);
    assert.equal(value(data, 'RequestCountPerTarget', ['TargetGroup']), 17);
    data = m.publish(s, new Date(2));
    assert.equal(value(data, 'RequestCount', ['TargetGroup', 'LoadBalancer']), 0);
    assert.equal(value(data, 'RequestCountPerTarget', ['TargetGroup']), 0);
    assert.equal(data.filter((d) => d.MetricName === 'TargetResponseTime').length, 0, 'no response time without requests');
    // No healthy target: divided by all registered ones.
    m.sample([row('listener', 'l_web_l1', 19), row('backend', 'tg_api', 19)]);
    data = m.publish(state([target('a', 'unhealthy'), target('b', 'initial')]), new Date(3));
    assert.equal(value(data, 'RequestCountPerTarget', ['TargetGroup']), 6);
  });

  it('startElbMetrics samples on its own and publishes in namespace AWS/ApplicationELB until aborted', async () => {
    let n = 0;
    const puts: { ns: string; data: MetricDatum[] }[] = [];
    const ac = new AbortController();
    startElbMetrics({
      dataPlane: { traffic: async () => { n += 5; return [row('listener', 'l_web_l1', n), row('backend', 'tg_api', n)]; } },
      state: async () => state([target('x', 'healthy')]), put: (ns, data) => puts.push({ ns, data }), clock: () => new Date(),
      publishMs: 50, sampleMs: 10, signal: ac.signal,
    });
    const deadline = Date.now() + 5000;
    while (puts.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    assert.ok(puts.length >= 2, 'published twice');
    assert.ok(puts.every((p) => p.ns === 'AWS/ApplicationELB'));
    const total = puts.reduce((a, p) => a + (value(p.data, 'RequestCount', ['LoadBalancer']) as number), 0);
    assert.ok(total > 0 && total % 5 === 0, `counted the increases (${total})`);
    const after = puts.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(puts.length, after, 'nothing after abort');
  });
});
