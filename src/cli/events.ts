/**
 * `wharf events [-f] [--cluster C] [--service S] [--since MIN]`: ECS's events (task, container instance,
 * service action, deployment), newest last, optionally following them. A thin layer over EventBridge and
 * CloudWatch Logs: EventBridge keeps no events once delivered, so the first run makes a rule
 * (`wharf-ecs-events`, pattern {"source":["aws.ecs"]}) that sends them to the log group `/wharf/events`,
 * and every run reads that group (FilterLogEvents; with -f again every second). Events are therefore
 * kept from the first `wharf events` on, for the group's retention (none set: kept).
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRuleCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { addGlobalOptions, call, clientConfig, emit, resolveConnection, type GlobalOptions } from './client.js';

export const EVENTS_RULE = 'wharf-ecs-events';
export const EVENTS_GROUP = '/wharf/events';

interface Ev { id: string; time: string; 'detail-type': string; resources: string[]; detail: Record<string, unknown> }

const tail = (arn: unknown) => (typeof arn === 'string' ? arn.split('/').pop() ?? arn : '');

/** Whether an event concerns cluster `c` (and service `s`, when given). */
export function eventMatches(e: Ev, cluster?: string, service?: string): boolean {
  const d = e.detail;
  const res = e.resources[0] ?? '';
  if (cluster !== undefined) {
    const inCluster = (typeof d.clusterArn === 'string' && d.clusterArn.endsWith(`:cluster/${cluster}`)) || res.includes(`/${cluster}/`);
    if (!inCluster) return false;
  }
  if (service !== undefined) {
    if (res.includes(':service/')) return res.endsWith(`/${service}`);
    return d.group === `service:${service}`;
  }
  return true;
}

/** One line per event: time, kind, resource, what happened. */
export function eventLine(e: Ev): string {
  const d = e.detail;
  const kind = e['detail-type'].replace(/^ECS /, '').replace(/ State Change$/, '');
  let what: string;
  if (e['detail-type'] === 'ECS Task State Change') {
    const exits = Array.isArray(d.containers) ? (d.containers as { name: string; exitCode?: number }[]).filter((c) => c.exitCode !== undefined).map((c) => `${c.name}=${c.exitCode}`) : [];
    what = `${String(d.lastStatus)} (desired ${String(d.desiredStatus)})${d.stoppedReason ? `: ${String(d.stoppedReason)}` : ''}${exits.length ? ` exit ${exits.join(' ')}` : ''}`;
  } else if (e['detail-type'] === 'ECS Container Instance State Change') {
    what = `${String(d.status)}, agent ${d.agentConnected ? 'connected' : 'disconnected'}, version ${String(d.version)}`;
  } else {
    what = `${String(d.eventType)} ${String(d.eventName)}${d.reason ? `: ${String(d.reason)}` : ''}${d.deploymentId ? ` (${String(d.deploymentId)})` : ''}`;
  }
  return `${e.time}  ${kind.padEnd(18)} ${tail(e.resources[0]).padEnd(34)} ${what}`;
}

/** Makes the rule and log group `wharf events` reads, once. */
async function ensureRule(eb: EventBridgeClient, logs: CloudWatchLogsClient, region: string): Promise<void> {
  const exists = await eb.send(new DescribeRuleCommand({ Name: EVENTS_RULE })).then(() => true, (e: Error) => { if (e.name === 'ResourceNotFoundException') return false; throw e; });
  if (exists) return;
  await logs.send(new CreateLogGroupCommand({ logGroupName: EVENTS_GROUP })).catch((e: Error) => { if (e.name !== 'ResourceAlreadyExistsException') throw e; });
  const arn = (await eb.send(new PutRuleCommand({ Name: EVENTS_RULE, EventPattern: JSON.stringify({ source: ['aws.ecs'] }), Description: 'wharf events: ECS events kept in /wharf/events' }))).RuleArn!;
  const account = arn.split(':')[4];
  await eb.send(new PutTargetsCommand({ Rule: EVENTS_RULE, Targets: [{ Id: 'wharf-events', Arn: `arn:aws:logs:${region}:${account}:log-group:${EVENTS_GROUP}` }] }));
  process.stderr.write(`wharf events: rule ${EVENTS_RULE} now keeps ECS events in log group ${EVENTS_GROUP}; events from before this moment were not kept\n`);
}

export function registerEventsCommand(program: Command): void {
  addGlobalOptions(program.command('events').description('print ECS events (tasks, container instances, service actions, deployments), optionally following them'))
    .option('-c, --cluster <cluster>', 'only this cluster\'s events')
    .option('-s, --service <service>', 'only this service\'s events (its actions, deployments and tasks)')
    .option('-f, --follow', 'keep printing new events')
    .option('--since <minutes>', 'start this many minutes ago', (v) => Number(v), 60)
    .action(async (o: GlobalOptions & { cluster?: string; service?: string; follow?: boolean; since: number }) => {
      const conn = resolveConnection(o);
      const eb = new EventBridgeClient(clientConfig(o));
      const logs = new CloudWatchLogsClient(clientConfig(o));
      await call('setting up the events rule', conn.endpoint, () => ensureRule(eb, logs, conn.region));
      let startTime = Date.now() - o.since * 60_000;
      const seen = new Set<string>();
      const collected: Ev[] = [];
      for (;;) {
        const batch: Ev[] = [];
        let nextToken: string | undefined;
        do {
          const r = await call('reading /wharf/events', conn.endpoint, () => logs.send(new FilterLogEventsCommand({ logGroupName: EVENTS_GROUP, startTime, nextToken })));
          for (const le of r.events ?? []) {
            if (seen.has(le.eventId!)) continue;
            seen.add(le.eventId!);
            startTime = Math.max(startTime, le.timestamp!);
            let e: Ev;
            try { e = JSON.parse(le.message!) as Ev; } catch { continue; }
            if (eventMatches(e, o.cluster, o.service)) batch.push(e);
          }
          nextToken = r.nextToken;
        } while (nextToken);
        batch.sort((a, b) => a.time.localeCompare(b.time));
        if (o.follow) {
          // Following prints lines as they come, in every output format (one JSON document per line for json).
          for (const e of batch) process.stdout.write(o.output === 'json' ? `${JSON.stringify(e)}\n` : `${eventLine(e)}\n`);
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        collected.push(...batch);
        break;
      }
      emit(o, { events: collected }, () => { for (const e of collected) process.stdout.write(`${eventLine(e)}\n`); });
      eb.destroy();
      logs.destroy();
    });
}
