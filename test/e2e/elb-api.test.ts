/**
 * ELBv2 end to end: the AWS CLI walkthrough (create a load balancer, a target group, register real
 * backends, a listener, rules) answered through the Wharf-managed HAProxy; the same through the SDK;
 * and bad input that must fail with AWS's errors and change nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsCommand, CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand, DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, DuplicateListenerException,
  ElasticLoadBalancingV2Client, InvalidTargetException, LoadBalancerNotFoundException, ModifyTargetGroupAttributesCommand, PriorityInUseException,
  RegisterTargetsCommand, ResourceInUseException, SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startServerProcess, type TestServer } from '../support/server.js';
import { elbClient, freePort, get, startBackendProcess, waitFor, type Backend } from './elb-helpers.js';

let server: TestServer;
let elb: ElasticLoadBalancingV2Client;
const backends: Pick<Backend, 'close'>[] = [];

before(async () => {
  server = await startServerProcess();
  elb = elbClient(server);
});
after(async () => {
  elb?.destroy();
  for (const b of backends) await b.close();
  await server?.stop();
  server?.cleanup();
});

const cli = (args: string[]) => {
  const r = server.aws(['elbv2', ...args]);
  return r;
};
const ok = (args: string[]) => {
  const r = cli(args);
  assert.equal(r.status, 0, `aws elbv2 ${args.join(' ')} failed: ${r.stderr}`);
  return r.json;
};

test('AWS CLI walkthrough: load balancer, target group, targets, listener, rules — served through HAProxy', async () => {
  // In child processes: the CLI calls below block this process (spawnSync).
  const a = await startBackendProcess('a');
  const b = await startBackendProcess('b');
  backends.push(a, b);
  const lb = ok(['create-load-balancer', '--name', 'walk', '--subnets', 'subnet-1', 'subnet-2']).LoadBalancers[0];
  assert.match(lb.LoadBalancerArn, /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:loadbalancer\/app\/walk\/[0-9a-f]{16}$/);
  assert.match(lb.DNSName, /^walk-\d+\.us-east-1\.elb\.localhost$/);
  assert.equal(lb.State.Code, 'active');
  assert.equal(lb.AvailabilityZones.length, 2);

  const tg = ok(['create-target-group', '--name', 'walk-a', '--protocol', 'HTTP', '--port', '80', '--vpc-id', 'vpc-1', '--target-type', 'ip',
    '--health-check-path', '/health', '--health-check-interval-seconds', '5', '--health-check-timeout-seconds', '2', '--healthy-threshold-count', '2']).TargetGroups[0];
  assert.equal(tg.HealthCheckTimeoutSeconds, 2);
  assert.equal(tg.UnhealthyThresholdCount, 2, 'AWS default unhealthy threshold');
  assert.deepEqual(tg.Matcher, { HttpCode: '200' });
  assert.deepEqual(tg.LoadBalancerArns, []);
  const tgB = ok(['create-target-group', '--name', 'walk-b', '--protocol', 'HTTP', '--port', String(b.port), '--target-type', 'ip',
    '--health-check-path', '/health', '--health-check-interval-seconds', '5', '--health-check-timeout-seconds', '2', '--healthy-threshold-count', '2']).TargetGroups[0];
  const attrs = ok(['describe-target-group-attributes', '--target-group-arn', tg.TargetGroupArn]).Attributes as { Key: string; Value: string }[];
  assert.equal(attrs.find((x) => x.Key === 'deregistration_delay.timeout_seconds')?.Value, '300');
  assert.equal(attrs.find((x) => x.Key === 'stickiness.enabled')?.Value, 'false');

  ok(['register-targets', '--target-group-arn', tg.TargetGroupArn, '--targets', `Id=127.0.0.1,Port=${a.port}`]);
  ok(['register-targets', '--target-group-arn', tgB.TargetGroupArn, '--targets', 'Id=127.0.0.1']);
  let health = ok(['describe-target-health', '--target-group-arn', tg.TargetGroupArn]).TargetHealthDescriptions;
  assert.equal(health[0].TargetHealth.State, 'unused', 'no listener routes to the group yet');
  assert.equal(health[0].TargetHealth.Reason, 'Target.NotInUse');

  const port = await freePort();
  const listener = ok(['create-listener', '--load-balancer-arn', lb.LoadBalancerArn, '--protocol', 'HTTP', '--port', String(port),
    '--default-actions', `Type=forward,TargetGroupArn=${tg.TargetGroupArn}`]).Listeners[0];
  // Polled with the SDK (async, cheap); the CLI's answer is checked once it is healthy.
  const healthyState = async (arn: string) => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions?.[0]?.TargetHealth?.State;
  await waitFor('target a healthy', async () => (await healthyState(tg.TargetGroupArn!)) === 'healthy');
  health = ok(['describe-target-health', '--target-group-arn', tg.TargetGroupArn]).TargetHealthDescriptions;
  assert.equal(health[0].TargetHealth.State, 'healthy');
  assert.equal(health[0].HealthCheckPort, String(a.port));
  const r = await get(port, '/hello');
  assert.equal(r.status, 200);
  assert.match(r.body, /^a GET \/hello/);
  assert.match(r.body, /xff=127\.0\.0\.1/, 'X-Forwarded-For is added');

  // Rules: path-pattern → fixed response; host-header → the other target group; query-string → redirect.
  const fixed = ok(['create-rule', '--listener-arn', listener.ListenerArn, '--priority', '10',
    '--conditions', JSON.stringify([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/maint/*'] } }]),
    '--actions', JSON.stringify([{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'down for maintenance' } }])]).Rules[0];
  const hostRule = ok(['create-rule', '--listener-arn', listener.ListenerArn, '--priority', '20',
    '--conditions', JSON.stringify([{ Field: 'host-header', HostHeaderConfig: { Values: ['*.b.example'] } }]),
    '--actions', JSON.stringify([{ Type: 'forward', TargetGroupArn: tgB.TargetGroupArn }])]).Rules[0];
  ok(['create-rule', '--listener-arn', listener.ListenerArn, '--priority', '30',
    '--conditions', JSON.stringify([{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'go', Value: 'old*' }] } }]),
    '--actions', JSON.stringify([{ Type: 'redirect', RedirectConfig: { Path: '/new/#{path}', StatusCode: 'HTTP_301' } }])]);
  ok(['create-rule', '--listener-arn', listener.ListenerArn, '--priority', '40',
    '--conditions', JSON.stringify([{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['yes'] } }]),
    '--actions', JSON.stringify([{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg.TargetGroupArn, Weight: 0 }, { TargetGroupArn: tgB.TargetGroupArn, Weight: 10 }] } }])]);
  await waitFor('target b healthy', async () => (await healthyState(tgB.TargetGroupArn!)) === 'healthy');

  // The four rules may reach HAProxy in more than one reload: wait for the last one created (priority 40).
  await waitFor('the X-Canary rule live', async () => /^b GET/.test((await get(port, '/c', { 'x-canary': 'yes' })).body));
  const maint = await waitFor('fixed-response rule live', async () => { const x = await get(port, '/maint/now'); return x.status === 503 ? x : undefined; });
  assert.equal(maint.body, 'down for maintenance');
  assert.match((await get(port, '/x', { host: 'api.b.example' })).body, /^b GET/);
  assert.match((await get(port, '/x', { host: 'api.c.example' })).body, /^a GET/);
  const redirect = await get(port, '/page?go=oldstuff', { host: 'site.example' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, `http://site.example:${port}/new/page?go=oldstuff`);
  for (let i = 0; i < 10; i++) assert.match((await get(port, '/c', { 'x-canary': 'YES' })).body, /^b GET/, 'weighted forward with weight 0 on a never takes a');

  const rules = ok(['describe-rules', '--listener-arn', listener.ListenerArn]).Rules as { Priority: string; IsDefault: boolean; RuleArn: string }[];
  assert.deepEqual(rules.map((x) => x.Priority), ['10', '20', '30', '40', 'default']);
  assert.equal(rules[4].IsDefault, true);

  // Swap two priorities in one call: the host rule now wins over the maintenance rule.
  ok(['set-rule-priorities', '--rule-priorities', `RuleArn=${fixed.RuleArn},Priority=20`, `RuleArn=${hostRule.RuleArn},Priority=10`]);
  await waitFor('priority swap live', async () => (await get(port, '/maint/x', { host: 'a.b.example' })).body.startsWith('b GET'));
  assert.equal((await get(port, '/maint/x')).status, 503);

  const tgs = ok(['describe-target-groups', '--load-balancer-arn', lb.LoadBalancerArn]).TargetGroups as { TargetGroupName: string; LoadBalancerArns: string[] }[];
  assert.deepEqual(tgs.map((t) => t.TargetGroupName).sort(), ['walk-a', 'walk-b']);
  assert.deepEqual(tgs[0].LoadBalancerArns, [lb.LoadBalancerArn]);

  ok(['add-tags', '--resource-arns', lb.LoadBalancerArn, tg.TargetGroupArn, '--tags', 'Key=env,Value=test', 'Key=team,Value=core']);
  ok(['remove-tags', '--resource-arns', lb.LoadBalancerArn, '--tag-keys', 'team']);
  const tags = ok(['describe-tags', '--resource-arns', lb.LoadBalancerArn, tg.TargetGroupArn]).TagDescriptions;
  assert.deepEqual(tags[0].Tags, [{ Key: 'env', Value: 'test' }]);
  assert.equal(tags[1].Tags.length, 2);

  // Delete in AWS's order; the port is released.
  const inUse = cli(['delete-target-group', '--target-group-arn', tg.TargetGroupArn]);
  assert.notEqual(inUse.status, 0);
  assert.match(inUse.stderr, /ResourceInUse/);
  ok(['delete-load-balancer', '--load-balancer-arn', lb.LoadBalancerArn]);
  ok(['delete-target-group', '--target-group-arn', tg.TargetGroupArn]);
  ok(['delete-target-group', '--target-group-arn', tgB.TargetGroupArn]);
  await waitFor('listener port released', async () => get(port, '/').then(() => false, () => true));
  assert.deepEqual(ok(['describe-load-balancers']).LoadBalancers, []);
});

test('SDK flows and bad input: AWS errors and nothing half-applied', async () => {
  const be = await startBackendProcess('sdk');
  backends.push(be);
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'sdk-lb', Tags: [{ Key: 'k', Value: 'v' }] }))).LoadBalancers![0];
  const again = (await elb.send(new CreateLoadBalancerCommand({ Name: 'sdk-lb' }))).LoadBalancers![0];
  assert.equal(again.LoadBalancerArn, lb.LoadBalancerArn, 'CreateLoadBalancer is idempotent');
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'sdk-tg', Protocol: 'HTTP', Port: be.port, TargetType: 'ip', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2 }))).TargetGroups![0];
  const itg = (await elb.send(new CreateTargetGroupCommand({ Name: 'sdk-inst', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-1' }))).TargetGroups![0];
  assert.equal(itg.TargetType, 'instance');
  assert.equal(itg.HealthCheckIntervalSeconds, 30);
  assert.equal(itg.HealthCheckTimeoutSeconds, 5);
  assert.equal(itg.HealthyThresholdCount, 5);
  assert.equal(itg.HealthCheckPath, '/');
  assert.equal(itg.HealthCheckPort, 'traffic-port');

  // Targets on unknown instances; a mixed batch registers nothing.
  await assert.rejects(elb.send(new RegisterTargetsCommand({ TargetGroupArn: itg.TargetGroupArn, Targets: [{ Id: 'i-0123456789abcdef0' }] })),
    (e: unknown) => e instanceof InvalidTargetException && /not valid instances: 'i-0123456789abcdef0'/.test((e as Error).message));
  await assert.rejects(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1' }, { Id: 'not-an-ip' }] })), InvalidTargetException);
  assert.deepEqual((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions, []);
  const unknown = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.9', Port: 1 }] }))).TargetHealthDescriptions![0];
  assert.deepEqual(unknown.TargetHealth, { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' });

  const port = await freePort();
  const l = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }))).Listeners![0];
  // Conflicting listener ports: on the same load balancer, and on another one (same host port).
  await assert.rejects(elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Port: port, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }] })), DuplicateListenerException);
  const other = (await elb.send(new CreateLoadBalancerCommand({ Name: 'sdk-other' }))).LoadBalancers![0];
  await assert.rejects(elb.send(new CreateListenerCommand({ LoadBalancerArn: other.LoadBalancerArn, Port: port, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }] })), DuplicateListenerException);
  assert.equal((await elb.send(new DescribeListenersCommand({ LoadBalancerArn: other.LoadBalancerArn }))).Listeners!.length, 0);
  // A port another process holds.
  const squatter = await startBackendProcess('squatter');
  backends.push(squatter);
  await assert.rejects(elb.send(new CreateListenerCommand({ LoadBalancerArn: other.LoadBalancerArn, Port: squatter.port, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }] })),
    (e: unknown) => (e as Error).name === 'InvalidConfigurationRequestException' || (e as { Code?: string }).Code === 'InvalidConfigurationRequest');

  // Duplicate rule priorities, in CreateRule and in SetRulePriorities; neither changes anything.
  const cond = [{ Field: 'path-pattern', Values: ['/a'] }];
  const fr = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '200', MessageBody: 'a' } }];
  const r1 = (await elb.send(new CreateRuleCommand({ ListenerArn: l.ListenerArn, Priority: 1, Conditions: cond, Actions: fr }))).Rules![0];
  const r2 = (await elb.send(new CreateRuleCommand({ ListenerArn: l.ListenerArn, Priority: 2, Conditions: [{ Field: 'path-pattern', Values: ['/b'] }], Actions: fr }))).Rules![0];
  await assert.rejects(elb.send(new CreateRuleCommand({ ListenerArn: l.ListenerArn, Priority: 1, Conditions: cond, Actions: fr })), PriorityInUseException);
  await assert.rejects(elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: r1.RuleArn, Priority: 5 }, { RuleArn: r2.RuleArn, Priority: 5 }] })), PriorityInUseException);
  const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }))).Rules!;
  assert.deepEqual(rules.map((r) => r.Priority), ['1', '2', 'default'], 'nothing half-applied');
  // Invalid action: a target group that does not exist.
  await assert.rejects(elb.send(new CreateRuleCommand({ ListenerArn: l.ListenerArn, Priority: 3, Conditions: cond, Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn!.replace(/\/[0-9a-f]+$/, '/0000000000000000') }] })),
    (e: unknown) => (e as Error).name === 'TargetGroupNotFoundException');
  // A target group belongs to one load balancer.
  await assert.rejects(elb.send(new CreateListenerCommand({ LoadBalancerArn: other.LoadBalancerArn, Port: await freePort(), DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] })),
    (e: unknown) => (e as Error).name === 'TargetGroupAssociationLimitException');

  // Validation: the service's own error name and AWS's message shape.
  await assert.rejects(elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '4000' }, { Key: 'stickiness.enabled', Value: 'true' }] })),
    (e: unknown) => (e as Error).name === 'ValidationError');
  const attrs = (await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }))).Attributes!;
  assert.equal(attrs.find((a) => a.Key === 'stickiness.enabled')?.Value, 'false', 'a rejected attribute batch changes nothing');

  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1' }] }));
  await waitFor('sdk target healthy', async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions![0].TargetHealth!.State === 'healthy');
  assert.match((await get(port, '/z')).body, /^sdk GET \/z/);

  await assert.rejects(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn })), ResourceInUseException);
  await assert.rejects(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })), LoadBalancerNotFoundException);
  await elb.send(new AddTagsCommand({ ResourceArns: [l.ListenerArn!], Tags: [{ Key: 'listener', Value: 'yes' }] }));
  assert.deepEqual((await elb.send(new DescribeTagsCommand({ ResourceArns: [l.ListenerArn!, lb.LoadBalancerArn!] }))).TagDescriptions!.map((d) => d.Tags), [[{ Key: 'listener', Value: 'yes' }], [{ Key: 'k', Value: 'v' }]]);
  const page1 = await elb.send(new DescribeTargetGroupsCommand({ PageSize: 1 }));
  assert.equal(page1.TargetGroups!.length, 1);
  const page2 = await elb.send(new DescribeTargetGroupsCommand({ PageSize: 1, Marker: page1.NextMarker }));
  assert.notEqual(page2.TargetGroups![0].TargetGroupArn, page1.TargetGroups![0].TargetGroupArn);

  await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: other.LoadBalancerArn }));
});
