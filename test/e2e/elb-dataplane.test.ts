/**
 * The HAProxy data plane under ELBv2: health checks read back with AWS's states and reasons, the
 * deregistration delay honoured (in-flight requests finish, the target leaves after the delay), and
 * listener/rule changes applied by seamless reloads while a loopback load generator sees zero failures.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DeleteRuleCommand, DeregisterTargetsCommand,
  DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand, ModifyTargetGroupAttributesCommand, RegisterTargetsCommand,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startServerProcess, type TestServer } from '../support/server.js';
import { elbClient, freePort, get, startBackend, steadyLoad, waitFor, type Backend } from './elb-helpers.js';

let server: TestServer;
let elb: ElasticLoadBalancingV2Client;
const backends: Backend[] = [];
let lbArn = '';

before(async () => {
  server = await startServerProcess();
  elb = elbClient(server);
  lbArn = (await elb.send(new CreateLoadBalancerCommand({ Name: 'dp' }))).LoadBalancers![0].LoadBalancerArn!;
});
after(async () => {
  elb?.destroy();
  for (const b of backends) await b.close();
  await server?.stop();
  server?.cleanup();
});

async function group(name: string, extra: Record<string, unknown> = {}) {
  return (await elb.send(new CreateTargetGroupCommand({
    Name: name, Protocol: 'HTTP', Port: 80, TargetType: 'ip', HealthCheckPath: '/health',
    HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2, ...extra,
  }))).TargetGroups![0].TargetGroupArn!;
}

/** HAProxy's master logs one "New worker" line per start or reload. */
const workersForked = () => (readFileSync(join(server.dataDir, 'lb', 'haproxy.log'), 'utf8').match(/New worker/g) ?? []).length;

async function healthOf(tg: string): Promise<Map<number, TargetHealthDescription['TargetHealth']>> {
  const d = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions!;
  return new Map(d.map((x) => [x.Target!.Port!, x.TargetHealth]));
}

test('health checks run in HAProxy and come back as AWS target health with reason codes', async () => {
  const good = await startBackend('good');
  const bad = await startBackend('bad', { healthStatus: 500 });
  const closedPort = await freePort();
  backends.push(good, bad);
  const tg = await group('dp-health');
  const port = await freePort();
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [good, bad].map((b) => ({ Id: '127.0.0.1', Port: b.port })).concat([{ Id: '127.0.0.1', Port: closedPort }]) }));
  const first = await healthOf(tg);
  for (const h of first.values()) assert.ok(h!.State === 'initial', `new targets start initial, got ${JSON.stringify(h)}`);

  await waitFor('good healthy, bad and closed unhealthy', async () => {
    const h = await healthOf(tg);
    return h.get(good.port)?.State === 'healthy' && h.get(bad.port)?.State === 'unhealthy' && h.get(closedPort)?.State === 'unhealthy';
  });
  const h = await healthOf(tg);
  assert.deepEqual(h.get(bad.port), { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [500]' });
  assert.equal(h.get(closedPort)?.Reason, 'Target.FailedHealthChecks');
  // Only the healthy target gets traffic.
  for (let i = 0; i < 10; i++) assert.match((await get(port, '/')).body, /^good /);
  assert.equal(bad.served, 0);

  // The bad one recovers; the good one starts failing and is taken out of rotation.
  bad.healthStatus = 200;
  await waitFor('bad recovers', async () => (await healthOf(tg)).get(bad.port)?.State === 'healthy');
  good.healthStatus = 404;
  await waitFor('good goes unhealthy', async () => (await healthOf(tg)).get(good.port)?.State === 'unhealthy', 30_000);
  assert.equal((await healthOf(tg)).get(good.port)?.Reason, 'Target.ResponseCodeMismatch');
  const before = good.served;
  for (let i = 0; i < 10; i++) assert.match((await get(port, '/')).body, /^bad /);
  assert.equal(good.served, before);
});

test('deregistration delay: draining finishes in-flight requests, takes no new ones, ends after the delay', async () => {
  const a = await startBackend('drain-a');
  const b = await startBackend('drain-b');
  backends.push(a, b);
  const tg = await group('dp-drain');
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '3' }] }));
  const port = await freePort();
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '127.0.0.1', Port: a.port }] }));
  await waitFor('a healthy', async () => (await healthOf(tg)).get(a.port)?.State === 'healthy');
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '127.0.0.1', Port: b.port }] }));
  await waitFor('b healthy', async () => (await healthOf(tg)).get(b.port)?.State === 'healthy');

  // A slow request lands on a (the only one of its kind in flight), then a is deregistered.
  const servedBeforeSlow = a.served + b.served;
  const slow = Array.from({ length: 2 }, () => get(port, '/slow?ms=2000'));
  await waitFor('both slow requests to reach a backend', async () => a.served + b.served - servedBeforeSlow >= 2, 5000, 20);
  const t0 = Date.now();
  await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '127.0.0.1', Port: a.port }] }));
  const draining = (await healthOf(tg)).get(a.port);
  assert.deepEqual(draining, { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' });
  await new Promise((r) => setTimeout(r, 300));
  const servedBefore = a.served;
  for (let i = 0; i < 10; i++) assert.match((await get(port, '/')).body, /^drain-b /, 'a draining target takes no new requests');
  assert.equal(a.served, servedBefore);
  const done = await Promise.all(slow);
  assert.deepEqual(done.map((r) => r.status), [200, 200], 'in-flight requests finish while draining');
  assert.ok(done.some((r) => r.body.startsWith('drain-a')), 'one slow request was in flight on the drained target');
  // Deliberate: the test is named for the delay, so it proves nothing removes the target before 2.5 s of 3 s.
  await new Promise((r) => setTimeout(r, Math.max(0, 2500 - (Date.now() - t0))));
  assert.equal((await healthOf(tg)).get(a.port)?.State, 'draining', 'still draining before the delay is over');
  await waitFor('a gone after the delay', async () => !(await healthOf(tg)).has(a.port), 5000, 50);
  const took = Date.now() - t0;
  assert.ok(took >= 3000 && took < 4500, `removed ${took} ms after deregistration (delay 3 s)`);
  const cfg = readFileSync(join(server.dataDir, 'lb', 'haproxy.cfg'), 'utf8');
  assert.ok(cfg.includes('backend tg_dp-drain'));
});

test('listener and rule changes reload HAProxy seamlessly: zero failed requests under steady load', async () => {
  const a = await startBackend('load-a');
  const b = await startBackend('load-b');
  backends.push(a, b);
  const tg = await group('dp-load');
  const port = await freePort();
  const listener = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }))).Listeners![0].ListenerArn!;
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '127.0.0.1', Port: a.port }, { Id: '127.0.0.1', Port: b.port }] }));
  await waitFor('both healthy', async () => [...(await healthOf(tg)).values()].filter((h) => h?.State === 'healthy').length === 2);

  const stop = new AbortController();
  const load = steadyLoad(port, stop.signal, { concurrency: 6 });
  const workersBefore = workersForked();
  const changes = 6;
  for (let i = 0; i < changes; i++) {
    // Deliberate: spaces the changes so each reload happens under load (not a wait for an event).
    await new Promise((r) => setTimeout(r, 400));
    const rule = (await elb.send(new CreateRuleCommand({ ListenerArn: listener, Priority: 100 + i, Conditions: [{ Field: 'path-pattern', Values: [`/r${i}/*`] }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: `r${i}` } }] }))).Rules![0];
    await waitFor(`rule ${i} live`, async () => (await get(port, `/r${i}/x`)).body === `r${i}`, 10_000, 20);
    if (i % 2 === 1) await elb.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }));
  }
  await elb.send(new ModifyListenerCommand({ ListenerArn: listener, DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg, Weight: 1 }] } }] }));
  // Deliberate: keeps the load running across the last reload before counting failures.
  await new Promise((r) => setTimeout(r, 500));
  stop.abort();
  const res = await load;
  const reloads = workersForked() - workersBefore;
  assert.ok(reloads >= changes, `HAProxy reloaded ${reloads} times`);
  assert.ok(res.ok > 500, `steady load ran (${res.ok} requests)`);
  assert.equal(res.failed, 0, `failed requests during ${changes * 1.5} reloads: ${res.failed} (${res.errors.join('; ')})`);
});
