/**
 * `wharf demo`: the whole ECS flow on the local cluster, through the public APIs only.
 *
 *   build a small web image offline (busybox httpd) → push it to the registry (ECR)
 *   → register a task definition with awslogs → target group + load balancer + listener (ELBv2)
 *   → a service of three tasks behind it (ECS) → wait for steady state and healthy targets
 *   → show requests spread across the tasks, and the log lines they produced (CloudWatch Logs)
 *
 * Idempotent: running it again reuses what exists (and rolls the service to the newest revision).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  ECSClient, RegisterTaskDefinitionCommand, CreateServiceCommand, UpdateServiceCommand, DescribeServicesCommand, ListTasksCommand, DescribeTasksCommand,
  CreateClusterCommand,
} from '@aws-sdk/client-ecs';
import {
  ElasticLoadBalancingV2Client, CreateTargetGroupCommand, DescribeTargetGroupsCommand, CreateLoadBalancerCommand, DescribeLoadBalancersCommand,
  CreateListenerCommand, DescribeListenersCommand, DescribeTargetHealthCommand, ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CliError, resolveConnection, type GlobalOptions } from './client.js';
import { Steps } from './steps.js';
import { buildBusyboxImage } from './busybox-image.js';
import { importImage } from './image.js';

export interface DemoOptions extends GlobalOptions { cluster: string; listenerPort: number; count: number; quiet?: boolean }

export interface DemoResult {
  url: string;
  /** Which task answered each request, in order. */
  answers: { taskId: string; body: string }[];
  logLines: string[];
  serviceArn: string;
}

const NAME = 'wharf-demo';
const LOG_GROUP = '/ecs/wharf-demo';

async function until<T>(what: string, ms: number, f: () => Promise<T | undefined>, onTick?: () => Promise<void>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new CliError(`${what} did not happen within ${ms / 1000} s. Look at \`aws ecs describe-services --cluster … --services ${NAME}\` events, and the server log.`);
    if (onTick) await onTick().catch(() => {});
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const conn = resolveConnection(o);
  const credentials = { accessKeyId: conn.accessKeyId, secretAccessKey: conn.secretAccessKey };
  const cfg = { endpoint: conn.endpoint, region: conn.region, credentials, maxAttempts: 3 };
  const ecs = new ECSClient(cfg);
  const elb = new ElasticLoadBalancingV2Client(cfg);
  const logs = new CloudWatchLogsClient(cfg);
  const steps = new Steps();
  const work = mkdtempSync(join(tmpdir(), 'wharf-demo-'));
  try {
    const imageUri = await steps.run('Building the demo web image (busybox httpd) and pushing it to the registry', async () => {
      const built = await buildBusyboxImage(join(work, 'image'), {
        cmd: ['sh', '-c', [
          'mkdir -p /www',
          'echo "Hello from Wharf! This is task container $(hostname)." > /www/index.html',
          'echo "demo web server $(hostname) listening on :8080"',
          'exec httpd -f -vv -p 8080 -h /www',
        ].join(' && ')],
      });
      const r = await importImage(built.layoutDir, { ...o, repository: `${NAME}/web`, tag: '1', output: 'json', quiet: true } as never);
      return r.imageUri;
    });

    await ecs.send(new CreateClusterCommand({ clusterName: o.cluster }));
    const taskDefinitionArn = await steps.run('Registering the task definition (awslogs, health check)', async () => (await ecs.send(new RegisterTaskDefinitionCommand({
      family: `${NAME}-web`,
      containerDefinitions: [{
        name: 'web', image: imageUri, memory: 64, essential: true,
        portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
        healthCheck: { command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'], interval: 5, timeout: 2, retries: 2, startPeriod: 2 },
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': LOG_GROUP, 'awslogs-region': conn.region, 'awslogs-stream-prefix': 'web', 'awslogs-create-group': 'true' } },
      }],
    }))).taskDefinition!.taskDefinitionArn!);

    const { targetGroupArn, url } = await steps.run(`Creating the load balancer on port ${o.listenerPort}`, async () => {
      const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: [NAME] })).catch(() => undefined))?.TargetGroups?.[0]
        ?? (await elb.send(new CreateTargetGroupCommand({
          Name: NAME, Protocol: 'HTTP', Port: 8080, TargetType: 'instance', VpcId: 'vpc-local',
          HealthCheckPath: '/', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
        }))).TargetGroups![0];
      // Drain for 5 s instead of AWS's default 300 s, so a redeploy of the demo finishes promptly.
      await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }] }));
      const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: [NAME] })).catch(() => undefined))?.LoadBalancers?.[0]
        ?? (await elb.send(new CreateLoadBalancerCommand({ Name: NAME, Type: 'application', Scheme: 'internet-facing', Subnets: ['subnet-local-a', 'subnet-local-b'] }))).LoadBalancers![0];
      const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
      if (!listeners.some((l) => l.Port === o.listenerPort)) {
        await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: o.listenerPort, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }));
      }
      return { targetGroupArn: tg.TargetGroupArn!, url: `http://127.0.0.1:${o.listenerPort}/` };
    });

    const serviceArn = await steps.run(`Creating the service: ${o.count} tasks behind the load balancer`, async () => {
      const existing = (await ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: [`${NAME}-web`] }))).services?.find((s) => s.status === 'ACTIVE');
      if (existing) {
        return (await ecs.send(new UpdateServiceCommand({ cluster: o.cluster, service: `${NAME}-web`, taskDefinition: taskDefinitionArn, desiredCount: o.count }))).service!.serviceArn!;
      }
      return (await ecs.send(new CreateServiceCommand({
        cluster: o.cluster, serviceName: `${NAME}-web`, taskDefinition: taskDefinitionArn, desiredCount: o.count,
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 8080 }],
        healthCheckGracePeriodSeconds: 10,
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
      }))).service!.serviceArn!;
    });

    await steps.run('Waiting for steady state and healthy targets', async (update) => {
      await until('steady state', 180_000, async () => {
        const s = (await ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: [serviceArn] }))).services![0];
        const health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions ?? [];
        const healthy = health.filter((h) => h.TargetHealth?.State === 'healthy').length;
        update(`${s.runningCount}/${s.desiredCount} tasks running, ${healthy}/${o.count} targets healthy`);
        return s.deployments?.length === 1 && s.runningCount === o.count && healthy >= o.count ? true : undefined;
      });
    });

    const answers = await steps.run('Sending requests through the load balancer', async () => {
      const arns = (await ecs.send(new ListTasksCommand({ cluster: o.cluster, serviceName: `${NAME}-web` }))).taskArns ?? [];
      const tasks = arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: o.cluster, tasks: arns }))).tasks ?? [] : [];
      const byHost = new Map(tasks.map((t) => [(t.containers?.[0]?.runtimeId ?? '').slice(0, 12), t.taskArn!.split('/').pop()!]));
      const out: { taskId: string; body: string }[] = [];
      for (let i = 0; i < o.count * 3; i++) {
        const body = (await (await fetch(url, { headers: { connection: 'close' } })).text()).trim();
        const host = /container (\w+)\./.exec(body)?.[1] ?? '';
        out.push({ taskId: byHost.get(host) ?? host, body });
      }
      return out;
    });

    const logLines = await steps.run('Reading the log lines the tasks produced (CloudWatch Logs)', async () => until('log lines', 30_000, async () => {
      const ev = await logs.send(new FilterLogEventsCommand({ logGroupName: LOG_GROUP, filterPattern: '"response:200"', limit: 50 }));
      const lines = (ev.events ?? []).map((e) => `${e.logStreamName}: ${e.message}`);
      return lines.length >= Math.min(answers.length, 3) ? lines : undefined;
    }));
    return { url, answers, logLines, serviceArn };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function demoSummary(r: DemoResult, cluster: string, endpoint: string): string {
  const counts = new Map<string, number>();
  for (const a of r.answers) counts.set(a.taskId, (counts.get(a.taskId) ?? 0) + 1);
  return [
    '',
    `The demo service is up: ${r.url}`,
    '',
    `${r.answers.length} requests through the load balancer were answered by ${counts.size} tasks:`,
    ...[...counts].map(([t, n]) => `  task ${t}: ${n} requests`),
    '',
    'Log lines they produced (aws logs filter-log-events --log-group-name /ecs/wharf-demo --filter-pattern response):',
    ...r.logLines.slice(-6).map((l) => `  ${l}`),
    '',
    'Try next:',
    `  curl ${r.url}`,
    `  aws --endpoint-url ${endpoint} ecs describe-services --cluster ${cluster} --services wharf-demo-web`,
    `  aws --endpoint-url ${endpoint} logs tail /ecs/wharf-demo --follow`,
    `  aws --endpoint-url ${endpoint} ecs update-service --cluster ${cluster} --service wharf-demo-web --desired-count 5`,
    `  wharf logs wharf-demo-web -f`,
    '',
  ].join('\n');
}

export function registerDemoCommand(program: Command): void {
  program.command('demo')
    .description('deploy a demo web service: image → registry → task definition → 3 tasks behind a load balancer, with logs')
    .option('--cluster <name>', 'cluster', 'default')
    .option('--listener-port <port>', 'load balancer port on 127.0.0.1 (env WHARF_DEMO_PORT)', (v) => Number(v), Number(process.env.WHARF_DEMO_PORT ?? 8000))
    .option('--count <n>', 'tasks in the service', (v) => Number(v), 3)
    .option('--endpoint-url <url>', 'Wharf endpoint (default: the local server)')
    .option('--data-dir <dir>', 'local server data directory')
    .action(async (opts: DemoOptions) => {
      const r = await runDemo(opts);
      process.stdout.write(demoSummary(r, opts.cluster, resolveConnection(opts).endpoint));
    });
}
