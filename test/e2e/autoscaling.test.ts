/**
 * Service auto scaling end to end: a real server and agent, real containers, /usr/bin/aws and
 * @aws-sdk/client-application-auto-scaling.
 *
 *   1. the AWS CLI walkthrough (register-scalable-target, put-scaling-policy with the documented
 *      config.json) unchanged but for --endpoint-url; the two TargetTracking alarms in DescribeAlarms
 *   2. bad input changes nothing (max < min, a service that does not exist, predictive scaling)
 *   3. a CPU-bound service scales out under HTTP load from this test and back in when idle, with the
 *      scale-in after its cooldown; ECS's own service events say what happened
 *   4. a step scaling policy run by a user's alarm action
 *   5. a scheduled action at a given minute in a time zone, with the controller's clock moved
 *      (WHARF_TEST_CLOCK_FILE); a policy on a metric nobody publishes says why it does not scale
 *   6. the load balancer's AWS/ApplicationELB metrics count exactly the requests sent through it, and an
 *      ALBRequestCountPerTarget policy scales a service behind it out under load and in when idle
 *
 * Short timings (server settings, docs/autoscaling.md): target tracking alarms of 10 s periods with 2
 * datapoints to scale out and 3 to scale in; alarms evaluated every second; ECS metrics published every
 * 2 s from agent stats sent every second.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand,
  RegisterTaskDefinitionCommand, type Service,
} from '@aws-sdk/client-ecs';
import {
  ApplicationAutoScalingClient, DeleteScalingPolicyCommand, DeregisterScalableTargetCommand, DescribeScalableTargetsCommand, DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand, DescribeScheduledActionsCommand, ListTagsForResourceCommand, PutScalingPolicyCommand, PutScheduledActionCommand,
  RegisterScalableTargetCommand, TagResourceCommand, UntagResourceCommand, type ScalingActivity,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmHistoryCommand, GetMetricStatisticsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbClient, freePort, get } from './elb-helpers.js';
import { startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, removeClusterContainers, type AgentProcess } from '../support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';
import { until as waitUntil } from '../support/wait.js';

const cluster = `aas-e2e-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'wharf-aas-'));
const clockFile = join(work, 'clock-offset-ms');
const NS = 'ecs' as const;
const DIM = 'ecs:service:DesiredCount' as const;
let server: TestServer;
let agent: AgentProcess;
let image: string;
let aas: ApplicationAutoScalingClient;
let cw: CloudWatchClient;

/** This file's waits: test/support/wait.ts's `until`, with the timeout and poll step this file uses. */
const until = <T>(what: string, fn: () => Promise<T | false | undefined>, ms = 60_000): Promise<T> => waitUntil(what, fn, ms, 250);

const describe1 = async (name: string, c = cluster): Promise<Service> => (await server.ecs().send(new DescribeServicesCommand({ cluster: c, services: [name] }))).services![0];
const activities = async (rid: string, notScaled = false): Promise<ScalingActivity[]> =>
  (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: NS, ResourceId: rid, ScalableDimension: DIM, IncludeNotScaledActivities: notScaled }))).ScalingActivities ?? [];
async function runningPorts(service: string): Promise<number[]> {
  const arns = (await server.ecs().send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING' }))).taskArns ?? [];
  if (!arns.length) return [];
  const tasks = (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
  // The IPv4 binding: Docker publishes IPv4 and IPv6 on different host ports.
  return tasks.filter((t) => t.lastStatus === 'RUNNING').map((t) => t.containers?.[0]?.networkBindings?.find((b) => !b.bindIP?.includes(':'))?.hostPort).filter((p): p is number => p !== undefined);
}

before(async () => {
  writeFileSync(clockFile, '0');
  server = await startServerProcess({
    env: {
      WHARF_LOG_LEVEL: 'warn', WHARF_TARGET_TRACKING_ALARMS: '10/2/3', WHARF_ALARM_EVAL_MS: '1000', WHARF_METRICS_PUBLISH_MS: '2000',
      WHARF_AUTOSCALING_TICK_MS: '500', WHARF_TEST_CLOCK_FILE: clockFile,
    },
  });
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
  aas = new ApplicationAutoScalingClient(cfg);
  cw = new CloudWatchClient(cfg);
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
  const ecr = new ECRClient(cfg);
  const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'aas/busybox' }));
  image = `${repo.repository!.repositoryUri}:1`;
  const built = await buildBusyboxImage(join(work, 'img'), {
    // A CGI script that keeps one CPU busy for a few hundred milliseconds per request.
    files: { 'www/cgi-bin/burn': '#!/bin/sh\nprintf \'Content-Type: text/plain\\r\\n\\r\\n\'\ni=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo burnt\n' },
  });
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
  // Stats every second (the agent inherits this environment), so a minute of load is not needed.
  process.env.WHARF_AGENT_STATS_MS = '1000';
  agent = await startAgent(server, { cluster, name: 'aas', cpu: 4096, memory: 2048, stopTimeout: 1 });
  await until('agent connected', async () => (await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 1);
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'burn',
    containerDefinitions: [{
      name: 'web', image, cpu: 128, memory: 48, essential: true,
      command: ['sh', '-c', 'chmod +x /www/cgi-bin/burn && exec httpd -f -p 8080 -h /www'],
      portMappings: [{ containerPort: 8080, hostPort: 0 }],
    }],
  }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'idle', containerDefinitions: [{ name: 'idle', image, cpu: 16, memory: 16, essential: true, command: ['sleep', '3600'] }] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'web', image, memory: 16 }] }));
});

after(async () => {
  if (agent) { await agent.kill('SIGKILL'); agent.cleanup(); }
  await removeClusterContainers(cluster);
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('Application Auto Scaling', () => {
  it('the AWS CLI walkthrough works unchanged: register-scalable-target, put-scaling-policy (target tracking), the alarms AWS makes', async () => {
    // The documented example names cluster `default` and service `web-app`; no agent serves `default`,
    // so this service runs nothing (desired count 0) — the CPU test below scales a running one.
    await server.ecs().send(new CreateServiceCommand({ cluster: 'default', serviceName: 'web-app', taskDefinition: 'web', desiredCount: 0 }));
    // Debian's AWS CLI 2.9 documents the example without --tags and predates ScalableTargetARN in the
    // reply (it prints what its model knows); the SDK below sees the ARN and the tags.
    const reg = server.aws(['application-autoscaling', 'register-scalable-target', '--service-namespace', 'ecs', '--scalable-dimension', 'ecs:service:DesiredCount',
      '--resource-id', 'service/default/web-app', '--min-capacity', '1', '--max-capacity', '10']);
    assert.equal(reg.status, 0, reg.stderr);
    const config = join(work, 'config.json');
    writeFileSync(config, '{\n     "TargetValue": 75.0,\n     "PredefinedMetricSpecification": {\n         "PredefinedMetricType": "ECSServiceAverageCPUUtilization"\n     },\n     "ScaleOutCooldown": 60,\n    "ScaleInCooldown": 60\n}\n');
    const put = server.aws(['application-autoscaling', 'put-scaling-policy', '--service-namespace', 'ecs', '--scalable-dimension', 'ecs:service:DesiredCount',
      '--resource-id', 'service/default/web-app', '--policy-name', 'cpu75-target-tracking-scaling-policy', '--policy-type', 'TargetTrackingScaling',
      '--target-tracking-scaling-policy-configuration', `file://${config}`]);
    assert.equal(put.status, 0, put.stderr);
    assert.match(put.json.PolicyARN, /^arn:aws:autoscaling:us-east-1:\d{12}:scalingPolicy:[0-9a-f-]{36}:resource\/ecs\/service\/default\/web-app:policyName\/cpu75-target-tracking-scaling-policy$/);
    const names = (put.json.Alarms as { AlarmName: string; AlarmARN: string }[]).map((a) => a.AlarmName);
    assert.equal(names.length, 2);
    assert.match(names[0], /^TargetTracking-service\/default\/web-app-AlarmHigh-[0-9a-f-]{36}$/);
    assert.match(names[1], /^TargetTracking-service\/default\/web-app-AlarmLow-[0-9a-f-]{36}$/);
    const alarms = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: names }))).MetricAlarms!;
    const high = alarms.find((a) => a.AlarmName === names[0])!;
    const low = alarms.find((a) => a.AlarmName === names[1])!;
    assert.deepEqual([high.Namespace, high.MetricName, high.Statistic, high.ComparisonOperator, high.Threshold, high.AlarmActions],
      ['AWS/ECS', 'CPUUtilization', 'Average', 'GreaterThanThreshold', 75, [put.json.PolicyARN]]);
    assert.deepEqual(high.Dimensions, [{ Name: 'ClusterName', Value: 'default' }, { Name: 'ServiceName', Value: 'web-app' }]);
    assert.deepEqual([low.ComparisonOperator, low.Threshold], ['LessThanThreshold', 67.5]);
    assert.equal(high.AlarmDescription, `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${put.json.PolicyARN}.`);

    const targets = server.aws(['application-autoscaling', 'describe-scalable-targets', '--service-namespace', 'ecs']);
    assert.equal(targets.status, 0, targets.stderr);
    const t = targets.json.ScalableTargets.find((x: { ResourceId: string }) => x.ResourceId === 'service/default/web-app');
    assert.deepEqual([t.MinCapacity, t.MaxCapacity, t.RoleARN, t.SuspendedState.DynamicScalingInSuspended],
      [1, 10, 'arn:aws:iam::000000000000:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService', false]);
    const arn = (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: NS, ResourceIds: ['service/default/web-app'] }))).ScalableTargets![0].ScalableTargetARN!;
    assert.match(arn, /^arn:aws:application-autoscaling:us-east-1:\d{12}:scalable-target\/[0-9a-f]{36}$/);
    await aas.send(new TagResourceCommand({ ResourceARN: arn, Tags: { environment: 'production' } }));
    assert.deepEqual((await aas.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, { environment: 'production' });
    await aas.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['environment'] }));
    assert.deepEqual((await aas.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, {});

    // Deleting the policy deletes its alarms; deregistering the target leaves the service alone.
    const del = server.aws(['application-autoscaling', 'delete-scaling-policy', '--service-namespace', 'ecs', '--scalable-dimension', 'ecs:service:DesiredCount',
      '--resource-id', 'service/default/web-app', '--policy-name', 'cpu75-target-tracking-scaling-policy']);
    assert.equal(del.status, 0, del.stderr);
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNames: names }))).MetricAlarms, []);
    await aas.send(new DeregisterScalableTargetCommand({ ServiceNamespace: NS, ResourceId: 'service/default/web-app', ScalableDimension: DIM }));
    assert.deepEqual((await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: NS, ResourceIds: ['service/default/web-app'] }))).ScalableTargets, []);
  });

  it('bad input gets AWS\'s errors and changes nothing', async () => {
    const again = server.aws(['application-autoscaling', 'deregister-scalable-target', '--service-namespace', 'ecs', '--scalable-dimension', 'ecs:service:DesiredCount', '--resource-id', 'service/default/web-app']);
    assert.equal(again.status, 254);
    assert.match(again.stderr, /ObjectNotFoundException.*No scalable target found for service namespace: ecs, resource ID: service\/default\/web-app, scalable dimension: ecs:service:DesiredCount/);
    await server.ecs().send(new CreateServiceCommand({ cluster, serviceName: 'quiet', taskDefinition: 'idle', desiredCount: 1 }));
    const rid = `service/${cluster}/quiet`;
    await assert.rejects(aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, MinCapacity: 5, MaxCapacity: 2 })),
      (e: Error) => e.name === 'ValidationException' && e.message === 'Minimum capacity cannot be greater than maximum capacity');
    await assert.rejects(aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: `service/${cluster}/nope`, MinCapacity: 1, MaxCapacity: 2 })),
      (e: Error) => e.name === 'ValidationException' && e.message === `ECS service doesn't exist: service/${cluster}/nope`);
    await assert.rejects(aas.send(new PutScalingPolicyCommand({
      ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: `service/${cluster}/nope`, PolicyName: 'p', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
    })), (e: Error) => e.name === 'ObjectNotFoundException' && e.message === `No scalable target registered for service namespace: ecs, resource ID: service/${cluster}/nope, scalable dimension: ecs:service:DesiredCount`);
    await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, MinCapacity: 1, MaxCapacity: 2 }));
    await assert.rejects(aas.send(new PutScalingPolicyCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, PolicyName: 'p', PolicyType: 'PredictiveScaling' })),
      (e: Error) => e.name === 'ValidationException' && /does not support predictive scaling/.test(e.message));
    await assert.rejects(aas.send(new PutScalingPolicyCommand({
      ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, PolicyName: 'p', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' } },
    })), (e: Error) => e.name === 'ValidationException' && /ResourceLabel is required/.test(e.message));
    await assert.rejects(aas.send(new PutScheduledActionCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, ScheduledActionName: 's', Schedule: 'cron(0 9 * * *)' })),
      (e: Error) => e.name === 'ValidationException' && /six fields/.test(e.message));
    assert.deepEqual((await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: NS, ResourceId: rid }))).ScalingPolicies, []);
    assert.deepEqual((await aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: NS, ResourceId: rid }))).ScheduledActions, []);
    assert.deepEqual((await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: NS, ResourceIds: [`service/${cluster}/nope`] }))).ScalableTargets, []);
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-${rid}` }))).MetricAlarms, []);
    const t = (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: NS, ResourceIds: [rid] }))).ScalableTargets![0];
    assert.deepEqual([t.MinCapacity, t.MaxCapacity], [1, 2], 'the refused max < min left the target as registered');

    // A metric nobody publishes: the policy is made and stays; the activity (test 5) says why it does not scale.
    const never = await aas.send(new PutScalingPolicyCommand({
      ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, PolicyName: 'never', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 10, CustomizedMetricSpecification: { Namespace: 'Wharf/Test', MetricName: 'NeverPublished', Statistic: 'Average' } },
    }));
    assert.equal(never.Alarms?.length, 2);
  });

  it('a CPU-bound service scales out under load from this test and back in when idle, after its scale-in cooldown', { timeout: 240_000 }, async () => {
    await server.ecs().send(new CreateServiceCommand({ cluster, serviceName: 'burn', taskDefinition: 'burn', desiredCount: 1 }));
    const rid = `service/${cluster}/burn`;
    await until('burn RUNNING', async () => (await runningPorts('burn')).length === 1, 90_000);
    await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, MinCapacity: 1, MaxCapacity: 3 }));
    const policy = await aas.send(new PutScalingPolicyCommand({
      ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, ScaleOutCooldown: 10, ScaleInCooldown: 15 },
    }));
    const highName = policy.Alarms!.find((a) => /AlarmHigh/.test(a.AlarmName!))!.AlarmName!;

    // Load: one client calling the CPU-burning CGI on the running tasks, round robin (about one busy
    // core: 8 × the 128 CPU units the task reserves; one client is kind to a shared two-core machine).
    let stop = false;
    let served = 0;
    let lastError = '';
    const loadStart = Date.now();
    let ports: number[] = [];
    let refreshedAt = 0;
    const client = async () => {
      let i = 0;
      while (!stop) {
        if (Date.now() - refreshedAt > 1000) { ports = await runningPorts('burn').catch(() => ports); refreshedAt = Date.now(); }
        const port = ports[i++ % Math.max(ports.length, 1)];
        try {
          if (port) { await (await fetch(`http://127.0.0.1:${port}/cgi-bin/burn`, { signal: AbortSignal.timeout(30_000) })).text(); served++; }
        } catch (e) { lastError = String((e as Error).cause ?? e); /* a task being replaced */ }
        if (!port) await new Promise((r) => setTimeout(r, 200));
      }
    };
    const clients = [client()];
    let out: ScalingActivity | undefined;
    try {
      out = await until('scaled out (an activity "Setting desired count to N." from AlarmHigh)', async () => (await activities(rid)).find((a) => a.StatusCode === 'Successful' && a.Cause?.includes(highName)), 120_000)
        .catch(async (e: Error) => {
          // Say what the scaler saw: requests served, the alarm, the metric.
          const a = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [highName] }))).MetricAlarms?.[0];
          const m = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'ClusterName', Value: cluster }, { Name: 'ServiceName', Value: 'burn' }],
            StartTime: new Date(Date.now() - 300_000), EndTime: new Date(Date.now() + 60_000), Period: 10, Statistics: ['Average', 'SampleCount'] }));
          const arns = (await server.ecs().send(new ListTasksCommand({ cluster, serviceName: 'burn', desiredStatus: 'STOPPED' }))).taskArns ?? [];
          const stopped = arns.length ? (await server.ecs().send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 5) }))).tasks ?? [] : [];
          const why = stopped.map((t) => `${t.stoppedReason} / ${t.containers?.map((c) => `${c.exitCode} ${c.reason ?? ''}`).join(',')}`);
          throw new Error(`${e.message}; stopped tasks: ${JSON.stringify(why)}; running ports ${JSON.stringify(await runningPorts('burn'))}; ${served} requests served (last error ${lastError || 'none'}); alarm ${a?.StateValue}: ${a?.StateReason}; CPUUtilization ${JSON.stringify(m.Datapoints?.map((d) => [d.Timestamp, d.Average, d.SampleCount]))}; activities ${JSON.stringify(await activities(rid, true))}`);
        });
      assert.match(out.Description!, /^Setting desired count to [23]\.$/);
      assert.equal(out.Cause, `monitor alarm ${highName} in state ALARM triggered policy cpu50`);
      await until('two or more tasks RUNNING', async () => (await runningPorts('burn')).length >= 2, 90_000);
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    const outAt = out.StartTime!.getTime();
    console.log(`# scale-out ${((outAt - loadStart) / 1000).toFixed(1)} s after the load began (${served} requests${lastError ? `; last failed request: ${lastError}` : ''}): ${out.Description}`);
    assert.ok(served > 0, 'the load was HTTP requests this test made');
    const history = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: highName, HistoryItemType: 'StateUpdate' }))).AlarmHistoryItems ?? [];
    assert.ok(history.some((h) => /to ALARM/.test(h.HistorySummary!)), 'the alarm history shows AlarmHigh going to ALARM');

    // Idle: AlarmLow goes to ALARM after three quiet periods; the scale-in comes after the 15 s scale-in cooldown.
    const inAct = await until('scaled back in to 1', async () => (await activities(rid)).find((a) => a.Description === 'Setting desired count to 1.' && a.StatusCode === 'Successful'), 120_000);
    assert.match(inAct.Cause!, /^monitor alarm TargetTracking-service\/.+-AlarmLow-[0-9a-f-]+ in state ALARM triggered policy cpu50$/);
    assert.ok(inAct.StartTime!.getTime() - outAt >= 15_000, `scale-in ${inAct.StartTime!.getTime() - outAt} ms after the scale-out: inside the 15 s cooldown`);
    const s = await until('one task left', async () => { const x = await describe1('burn'); return x.runningCount === 1 && x.desiredCount === 1 && x; }, 90_000);
    const events = s.events!.map((e) => e.message!);
    assert.ok(events.some((m) => /^\(service burn\) has started [12] tasks?/.test(m)), `ECS's event for the scale-out: ${events.join(' | ')}`);
    assert.ok(events.some((m) => /^\(service burn\) has stopped [12] running tasks?/.test(m)), `ECS's event for the scale-in: ${events.join(' | ')}`);
    console.log(`# scale-in ${((inAct.StartTime!.getTime() - outAt) / 1000).toFixed(1)} s after the scale-out`);
    await aas.send(new DeleteScalingPolicyCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, PolicyName: 'cpu50' }));
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-${rid}` }))).MetricAlarms, []);
  });

  it('a step scaling policy runs when a CloudWatch alarm naming it goes to ALARM', async () => {
    const rid = `service/${cluster}/quiet`;
    const step = await aas.send(new PutScalingPolicyCommand({
      ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, PolicyName: 'quiet-step', PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }], Cooldown: 300 },
    }));
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'quiet-queue-deep', Namespace: 'Wharf/Test', MetricName: 'QueueDepth', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1, Threshold: 100,
      ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'ignore', AlarmActions: [step.PolicyARN!],
    }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'quiet-queue-deep', StateValue: 'ALARM', StateReason: 'test' }));
    const a = await until('step scaling activity', async () => (await activities(rid)).find((x) => /quiet-step/.test(x.Cause ?? '')));
    assert.deepEqual([a.Description, a.Cause, a.StatusCode], ['Setting desired count to 2.', 'monitor alarm quiet-queue-deep in state ALARM triggered policy quiet-step', 'Successful']);
    assert.equal((await describe1('quiet')).desiredCount, 2);
    const pol = (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: NS, ResourceId: rid, PolicyNames: ['quiet-step'] }))).ScalingPolicies![0];
    assert.deepEqual(pol.Alarms?.map((x) => x.AlarmName), ['quiet-queue-deep']);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await describe1('quiet')).desiredCount, 2, 'the 300 s cooldown holds the next step while the alarm stays in ALARM');
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['quiet-queue-deep'] }));
    await aas.send(new DeleteScalingPolicyCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, PolicyName: 'quiet-step' }));
  });

  it('a scheduled action changes min/max at its minute in its time zone (clock moved); a metric never published is explained', { timeout: 120_000 }, async () => {
    const rid = `service/${cluster}/quiet`;
    // The minute two hours from now, as New York reads it.
    const at = Math.floor(Date.now() / 60_000) * 60_000 + 2 * 3_600_000;
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
      .formatToParts(new Date(at)).map((p) => [p.type, p.value]));
    const cron = `cron(${Number(parts.minute)} ${Number(parts.hour)} * * ? *)`;
    const cli = server.aws(['application-autoscaling', 'put-scheduled-action', '--service-namespace', 'ecs', '--scheduled-action-name', 'evening', '--schedule', cron,
      '--timezone', 'America/New_York', '--resource-id', rid, '--scalable-dimension', 'ecs:service:DesiredCount', '--scalable-target-action', 'MinCapacity=3,MaxCapacity=4']);
    assert.equal(cli.status, 0, cli.stderr);
    const listed = (await aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: NS, ResourceId: rid }))).ScheduledActions!;
    assert.deepEqual(listed.map((x) => [x.ScheduledActionName, x.Schedule, x.Timezone, x.ScalableTargetAction]), [['evening', cron, 'America/New_York', { MinCapacity: 3, MaxCapacity: 4 }]]);
    await new Promise((r) => setTimeout(r, 1500));
    // The controller's clock jumps to 4 s before that minute: nothing yet…
    writeFileSync(clockFile, String(at - 4000 - Date.now()));
    await new Promise((r) => setTimeout(r, 1500));
    let t = (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: NS, ResourceIds: [rid] }))).ScalableTargets![0];
    assert.deepEqual([t.MinCapacity, t.MaxCapacity], [1, 2], 'not before its minute');
    // …then the minute comes.
    const set = await until('scheduled action ran', async () => (await activities(rid)).find((x) => x.Cause === 'scheduled action name evening was triggered'), 30_000);
    assert.deepEqual([set.Description, set.StatusMessage, set.StatusCode], ['Setting min capacity to 3 and max capacity to 4', 'Successfully set min capacity to 3 and max capacity to 4', 'Successful']);
    assert.ok(set.StartTime!.getTime() >= at, 'ran at its minute (controller time)');
    t = (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: NS, ResourceIds: [rid] }))).ScalableTargets![0];
    assert.deepEqual([t.MinCapacity, t.MaxCapacity], [3, 4]);
    const raised = (await activities(rid)).find((x) => x.Cause === 'minimum capacity was set to 3');
    assert.equal(raised?.Description, 'Setting desired count to 3.');
    await until('three tasks RUNNING for the new minimum', async () => { const s = await describe1('quiet'); return s.desiredCount === 3 && s.runningCount === 3; }, 90_000);

    const none = (await activities(rid)).find((x) => /NeverPublished/.test(x.Cause ?? ''));
    assert.ok(none, 'the policy on a metric nobody publishes has an activity saying why');
    assert.equal(none.StatusCode, 'Failed');
    assert.match(none.StatusMessage!, /No datapoints were published for Wharf\/Test NeverPublished\. The policy stays in place/);
    assert.ok((await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: NS, ResourceId: rid, PolicyNames: ['never'] }))).ScalingPolicies?.length === 1, 'the policy stays');
    writeFileSync(clockFile, '0');
  });

  it('ALBRequestCountPerTarget: the load balancer publishes AWS/ApplicationELB metrics that count every request, and a policy on them scales out and in', { timeout: 300_000 }, async () => {
    const elb = elbClient(server);
    const tg = (await elb.send(new CreateTargetGroupCommand({
      Name: 'aas-hello', Protocol: 'HTTP', Port: 8080, VpcId: 'vpc-default', TargetType: 'instance',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0];
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn!, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '0' }] }));
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'aas-lb', Subnets: ['subnet-a', 'subnet-b'] }))).LoadBalancers![0];
    const port = await freePort();
    const listener = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }))).Listeners![0];
    await elb.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/gone'] }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'gone' } }] }));
    await server.ecs().send(new RegisterTaskDefinitionCommand({
      family: 'hello',
      containerDefinitions: [{ name: 'web', image, cpu: 16, memory: 24, essential: true, portMappings: [{ containerPort: 8080, hostPort: 0 }],
        command: ['sh', '-c', 'echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'] }],
    }));
    await server.ecs().send(new CreateServiceCommand({
      cluster, serviceName: 'hello', taskDefinition: 'hello', desiredCount: 1, healthCheckGracePeriodSeconds: 5,
      loadBalancers: [{ targetGroupArn: tg.TargetGroupArn, containerName: 'web', containerPort: 8080 }],
    }));
    const healthyTargets = async () => ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State === 'healthy').length;
    await until('one healthy target', async () => (await healthyTargets()) === 1, 90_000);

    // Exactly 40 requests to the service and 3 the load balancer answers itself.
    const t0 = Date.now();
    for (let i = 0; i < 40; i++) assert.equal((await get(port)).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await get(port, '/gone')).status, 404);
    const lbDim = { Name: 'LoadBalancer', Value: lb.LoadBalancerArn!.split(':loadbalancer/')[1] };
    const tgDim = { Name: 'TargetGroup', Value: tg.TargetGroupArn!.split(':')[5] };
    assert.match(lbDim.Value, /^app\/aas-lb\/[0-9a-f]{16}$/);
    assert.match(tgDim.Value, /^targetgroup\/aas-hello\/[0-9a-f]{16}$/);
    const sum = async (MetricName: string, Dimensions: { Name: string; Value: string }[], Statistic: 'Sum' | 'Maximum' = 'Sum') => {
      const r = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'AWS/ApplicationELB', MetricName, Dimensions,
        StartTime: new Date(t0 - 120_000), EndTime: new Date(Date.now() + 60_000), Period: 3600, Statistics: [Statistic] }));
      return r.Datapoints?.[0]?.[Statistic] ?? 0;
    };
    await until('RequestCount (TargetGroup, LoadBalancer) = 40', async () => (await sum('RequestCount', [tgDim, lbDim])) === 40, 30_000);
    await until('RequestCount (LoadBalancer) = 43', async () => (await sum('RequestCount', [lbDim])) === 43, 30_000);
    assert.equal(await sum('HTTPCode_Target_2XX_Count', [tgDim, lbDim]), 40);
    assert.equal(await sum('HTTPCode_ELB_4XX_Count', [lbDim]), 3, 'the fixed responses are the load balancer\'s own');
    assert.equal(await sum('RequestCountPerTarget', [tgDim]), 40, 'one healthy target');
    assert.equal(await sum('HealthyHostCount', [tgDim, lbDim], 'Maximum'), 1);
    const cli = server.aws(['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/ApplicationELB', '--metric-name', 'RequestCount',
      '--dimensions', `Name=TargetGroup,Value=${tgDim.Value}`, `Name=LoadBalancer,Value=${lbDim.Value}`,
      '--start-time', new Date(t0 - 120_000).toISOString(), '--end-time', new Date(Date.now() + 60_000).toISOString(), '--period', '3600', '--statistics', 'Sum']);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.json.Datapoints[0].Sum, 40);

    // A target-tracking policy on requests per target: 10 per (10 s) period.
    const rid = `service/${cluster}/hello`;
    await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, MinCapacity: 1, MaxCapacity: 3 }));
    const label = `${lbDim.Value}/${tgDim.Value}`;
    const policy = await aas.send(new PutScalingPolicyCommand({
      ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, PolicyName: 'req10', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 10, PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: label }, ScaleOutCooldown: 10, ScaleInCooldown: 5 },
    }));
    const high = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [policy.Alarms!.find((a) => /AlarmHigh/.test(a.AlarmName!))!.AlarmName!] }))).MetricAlarms![0];
    assert.deepEqual([high.Namespace, high.MetricName, high.Statistic, high.Dimensions], ['AWS/ApplicationELB', 'RequestCountPerTarget', 'Sum', [tgDim]]);

    // About 20 requests a second through the load balancer: 200 per period against a target of 10.
    let stop = false;
    let served = 0;
    const load = (async () => {
      while (!stop) {
        const r = await get(port).catch(() => undefined);
        if (r?.status === 200) served++;
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    try {
      const out = await until('scaled out on requests per target', async () => (await activities(rid)).find((a) => a.StatusCode === 'Successful' && a.Cause?.includes(high.AlarmName!)), 90_000);
      assert.equal(out.Description, 'Setting desired count to 3.', 'ceil(1 × ~200 / 10) capped at max 3');
      assert.equal(out.Cause, `monitor alarm ${high.AlarmName} in state ALARM triggered policy req10`);
      await until('three healthy targets', async () => (await healthyTargets()) === 3, 90_000);
    } finally {
      stop = true;
      await load;
    }
    // AlarmHigh needs 2 periods above 10 requests per target; one may hold the 40 requests above.
    assert.ok(served > 10, `${served} requests served through the load balancer`);
    // Idle: the load balancer publishes zero requests (ALB would publish nothing), so AlarmLow scales in.
    const inAct = await until('scaled in when idle', async () => (await activities(rid)).find((a) => a.StatusCode === 'Successful' && /AlarmLow/.test(a.Cause ?? '')), 120_000);
    assert.match(inAct.Description!, /^Setting desired count to [12]\.$/);
    await aas.send(new DeleteScalingPolicyCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid, PolicyName: 'req10' }));
    await aas.send(new DeregisterScalableTargetCommand({ ServiceNamespace: NS, ScalableDimension: DIM, ResourceId: rid }));
  });
});
