/**
 * Desired (the translated Compose file) vs current (what the server has for this project) → the plan.
 * Pure: the caller reads the current state through the public API and hands it in.
 *
 * A second deploy changes only what changed: each task definition carries a hash of the request that
 * registered it (tag wharf:compose-hash), so an unchanged service keeps its revision and is not rolled;
 * a changed one gets a new revision and a rolling deployment (UpdateService). The plan is printed by
 * --dry-run and then carried out step by step in this order by `wharf deploy`:
 *
 *   task definitions (a revision the API refuses stops the deploy before anything that serves changes;
 *   a new revision serves nothing until its service is updated) → load balancer → target groups
 *   → listeners (a port another process holds fails here, before any service changes)
 *   → services, in depends_on order → deletions of what left the file
 */
import { createHash } from 'node:crypto';
import type { ContainerDefinition, DeploymentConfiguration, TaskDefinition } from '@aws-sdk/client-ecs';
import { stableJson, type DesiredService, type Translation } from './translate.js';

export interface CurrentService {
  ecsName: string;
  arn: string;
  schedulingStrategy?: string;
  taskDefinitionArn: string;
  taskDefinition?: TaskDefinition;
  /** The wharf:compose-hash tag of the service's task definition revision. */
  taskDefinitionHash?: string;
  desiredCount?: number;
  deploymentConfiguration?: DeploymentConfiguration;
  loadBalancers: { targetGroupArn?: string; containerName?: string; containerPort?: number }[];
}

export interface CurrentState {
  services: CurrentService[];
  loadBalancerArn?: string;
  listeners: { arn: string; port: number; targetGroupArn?: string }[];
  /** This project's target groups (name → ARN). */
  targetGroups: Map<string, string>;
  /** Listener ports held by other load balancers: port → that load balancer's name. */
  foreignPorts: Map<number, string>;
  /** awsvpc: the project's security group and Cloud Map namespace and services, where they exist. */
  network: { securityGroupId?: string; namespaceId?: string; discovery: Map<string, { id: string; arn: string }> };
}

export type StepKind = 'load-balancer' | 'target-group' | 'listener' | 'task-definition' | 'service' | 'security-group' | 'namespace' | 'discovery-service';

export interface Step {
  op: 'create' | 'update' | 'delete' | 'register';
  kind: StepKind;
  /** Resource name (listener: its port). */
  name: string;
  /** The Compose service this step is for. */
  service?: string;
  details: string[];
}

export interface Plan {
  steps: Step[];
  unchanged: string[];
  /** Refusals discovered against the server's state (a port held by another load balancer). */
  conflicts: string[];
}

export const requestHash = (s: DesiredService): string =>
  createHash('sha256').update(stableJson(s.taskDefinition)).digest('hex').slice(0, 16);

const short = (v: unknown, n = 60): string => { const s = typeof v === 'string' ? v : stableJson(v); return s.length > n ? `${s.slice(0, n - 1)}…` : s; };

/** Which container fields differ (best effort: the hash says whether; this says what, for people). */
function containerChanges(want: ContainerDefinition, have: ContainerDefinition | undefined): string[] {
  if (!have) return ['new container'];
  const out: string[] = [];
  const keys = new Set([...Object.keys(want), ...Object.keys(have)].filter((k) => (want as Record<string, unknown>)[k] !== undefined || k === 'command' || k === 'entryPoint' || k === 'healthCheck' || k === 'environment'));
  for (const k of keys) {
    const a = (want as Record<string, unknown>)[k];
    const b = (have as Record<string, unknown>)[k];
    const empty = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0);
    if (empty(a) && empty(b)) continue;
    if (stableJson(a ?? null) === stableJson(b ?? null)) continue;
    out.push(k === 'image' ? `image ${short(b)} → ${short(a)}` : k === 'environment' ? 'environment' : `${k}${a === undefined ? ' removed' : ''}`);
  }
  return out;
}

const sameDeploymentConfig = (a: DeploymentConfiguration, b: DeploymentConfiguration | undefined): boolean =>
  !!b && a.minimumHealthyPercent === b.minimumHealthyPercent && a.maximumPercent === b.maximumPercent
  && (a.deploymentCircuitBreaker?.enable ?? false) === (b.deploymentCircuitBreaker?.enable ?? false)
  && (a.deploymentCircuitBreaker?.rollback ?? false) === (b.deploymentCircuitBreaker?.rollback ?? false);

export function makePlan(want: Translation, have: CurrentState): Plan {
  const registers: Step[] = [];
  const steps: Step[] = [];
  const unchanged: string[] = [];
  const conflicts: string[] = [];
  const needLb = want.services.some((s) => s.published.length > 0);

  // awsvpc: the project's network first — its security group, its namespace, a name per service.
  if (want.network) {
    if (!have.network.securityGroupId) steps.push({ op: 'create', kind: 'security-group', name: want.network.securityGroup, details: ['all traffic between the project\'s tasks; published ports from the VPC (the load balancer)'] });
    if (!have.network.namespaceId) steps.push({ op: 'create', kind: 'namespace', name: want.network.namespace, details: ['Cloud Map private DNS, the default VPC'] });
    for (const s of want.services) {
      if (s.discovery && !have.network.discovery.has(s.name)) steps.push({ op: 'create', kind: 'discovery-service', name: `${s.name}.${want.network.namespace}`, service: s.name, details: [`A records of ${s.ecsName}'s tasks`] });
    }
  }
  if (needLb && !have.loadBalancerArn) steps.push({ op: 'create', kind: 'load-balancer', name: want.loadBalancerName, details: [] });
  const tgArnByName = have.targetGroups;
  const tgNames = new Set<string>();
  for (const s of want.services) {
    for (const p of s.published) {
      tgNames.add(p.targetGroupName);
      if (!tgArnByName.has(p.targetGroupName)) steps.push({ op: 'create', kind: 'target-group', name: p.targetGroupName, service: s.name, details: [`HTTP, container port ${p.containerPort}`] });
    }
  }
  const wantPorts = new Map<number, { s: DesiredService; tg: string }>();
  for (const s of want.services) for (const p of s.published) wantPorts.set(p.port, { s, tg: p.targetGroupName });
  for (const [port, { s, tg }] of wantPorts) {
    const other = have.foreignPorts.get(port);
    if (other) { conflicts.push(`services.${s.name}.ports: port ${port} is already a listener of load balancer ${other}: pick another published port, or remove that listener`); continue; }
    const l = have.listeners.find((x) => x.port === port);
    if (!l) steps.push({ op: 'create', kind: 'listener', name: String(port), service: s.name, details: [`→ ${tg}`] });
    else if (l.targetGroupArn !== tgArnByName.get(tg)) steps.push({ op: 'update', kind: 'listener', name: String(port), service: s.name, details: [`→ ${tg}`] });
  }

  const haveByName = new Map(have.services.map((c) => [c.ecsName, c]));
  for (const s of want.services) {
    const cur = haveByName.get(s.ecsName);
    const hash = requestHash(s);
    const newRevision = !cur || cur.taskDefinitionHash !== hash;
    if (newRevision) {
      const ch = cur ? containerChanges(s.taskDefinition.containerDefinitions![0], cur.taskDefinition?.containerDefinitions?.find((c) => c.name === s.name)) : [];
      const netChange = cur && (cur.taskDefinition?.networkMode ?? 'bridge') !== (s.taskDefinition.networkMode ?? 'bridge') ? ['networkMode'] : [];
      registers.push({ op: 'register', kind: 'task-definition', name: s.ecsName, service: s.name, details: cur ? [...ch, ...netChange].length ? [...ch, ...netChange] : ['settings changed'] : [`image ${short(s.taskDefinition.containerDefinitions![0].image)}`] });
    }
    const wantLbs = s.published.map((p) => `${p.targetGroupName}:${p.containerPort}`).sort().join(',');
    if (!cur) {
      steps.push({ op: 'create', kind: 'service', name: s.ecsName, service: s.name, details: [
        s.schedulingStrategy === 'DAEMON' ? 'one task per container instance' : `${s.desiredCount} task${s.desiredCount === 1 ? '' : 's'}`,
        ...s.published.map((p) => `port ${p.port} → ${s.name}:${p.containerPort}`),
        ...s.dependsOn.map((d) => `after ${d.service}${d.condition === 'service_healthy' ? ' is healthy' : ' has started'}`),
      ] });
      continue;
    }
    if ((cur.schedulingStrategy ?? 'REPLICA') !== s.schedulingStrategy) {
      conflicts.push(`services.${s.name}.deploy.mode: the service runs as ${cur.schedulingStrategy}; changing it needs \`wharf down --project ${want.project}\` first`);
      continue;
    }
    const changes: string[] = [];
    if (newRevision) changes.push('new task definition revision (rolling deployment)');
    if (s.desiredCount !== undefined && cur.desiredCount !== s.desiredCount) changes.push(`desired count ${cur.desiredCount} → ${s.desiredCount}`);
    if (!sameDeploymentConfig(s.deploymentConfiguration, cur.deploymentConfiguration)) changes.push('deployment configuration');
    const tgNameOf = (arn?: string) => [...tgArnByName].find(([, a]) => a === arn)?.[0] ?? arn;
    const haveLbs = cur.loadBalancers.map((l) => `${tgNameOf(l.targetGroupArn)}:${l.containerPort}`).sort().join(',');
    if (haveLbs !== wantLbs) changes.push(`load balancing ${haveLbs || 'none'} → ${wantLbs || 'none'}`);
    if (changes.length) steps.push({ op: 'update', kind: 'service', name: s.ecsName, service: s.name, details: changes });
    else unchanged.push(s.name);
  }

  // What left the file: services, then listeners, target groups, and the load balancer if no port is left.
  const wantNames = new Set(want.services.map((s) => s.ecsName));
  for (const c of have.services) if (!wantNames.has(c.ecsName)) steps.push({ op: 'delete', kind: 'service', name: c.ecsName, details: ['its tasks stop'] });
  for (const l of have.listeners) if (!wantPorts.has(l.port)) steps.push({ op: 'delete', kind: 'listener', name: String(l.port), details: [] });
  for (const [name] of tgArnByName) if (!tgNames.has(name)) steps.push({ op: 'delete', kind: 'target-group', name, details: [] });
  if (!needLb && have.loadBalancerArn) steps.push({ op: 'delete', kind: 'load-balancer', name: want.loadBalancerName, details: [] });
  const named = new Set(want.services.filter((s) => s.discovery).map((s) => s.name));
  for (const [name] of have.network.discovery) {
    if (!named.has(name)) steps.push({ op: 'delete', kind: 'discovery-service', name: `${name}.${want.network?.namespace ?? `${want.project}.local`}`, service: name, details: [] });
  }
  return { steps: [...registers, ...steps], unchanged, conflicts };
}

const VERB = { create: '+ create', update: '~ update', delete: '- delete', register: '+ register' } as const;

/** The plan as people read it (and as --dry-run prints it): one line per step. */
export function renderPlan(plan: Plan, project: string): string {
  const lines = [`Plan for project ${project}:`];
  for (const s of plan.steps) lines.push(`  ${VERB[s.op]} ${s.kind} ${s.name}${s.details.length ? ` (${s.details.join('; ')})` : ''}`);
  if (plan.steps.length === 0) lines.push('  nothing to change');
  if (plan.unchanged.length) lines.push(`  = unchanged: ${plan.unchanged.join(', ')}`);
  return lines.join('\n') + '\n';
}
