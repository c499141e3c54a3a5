/**
 * Fault test: SIGKILL the server at a random moment of a deployment, restart it on the same data, and
 * check the invariants (reliability.md T1): no acknowledged write lost, no duplicate tasks (live tasks
 * never above desired × maximumPercent, and exactly `desired` at the end), and the deployment converges
 * to COMPLETED. Scripted agents (reconnecting like real ones) keep each run to a few seconds.
 * WHARF_FAULT_RUNS sets the number of runs (default 8).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateClusterCommand, RegisterTaskDefinitionCommand, CreateServiceCommand, DescribeServicesCommand, UpdateServiceCommand, ListTasksCommand, DescribeTasksCommand, type Service } from '@aws-sdk/client-ecs';
import { startServerProcess, type TestServer } from '../support/server.js';
import { ScriptedAgent } from '../support/scripted-agent.js';

const RUNS = Number(process.env.WHARF_FAULT_RUNS ?? 8);
const C = 'fault';
const DESIRED = 4;
let server: TestServer;
const agents: ScriptedAgent[] = [];

async function until<T>(what: string, fn: () => Promise<T | false | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const describe1 = async (): Promise<Service> => (await server.ecs().send(new DescribeServicesCommand({ cluster: C, services: ['web'] }))).services![0];
const stable = (s: Service) => s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.deployments[0].rolloutState === 'COMPLETED';
const liveOnAgents = () => agents.reduce((n, a) => n + a.liveDesired().length, 0);
const runningOnAgents = () => agents.reduce((n, a) => n + [...a.running].filter((arn) => a.liveDesired().some((t) => t.taskArn === arn)).length, 0);

before(async () => {
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn' } });
  const token = readFileSync(join(server.dataDir, 'join-token'), 'utf8').trim();
  await server.ecs().send(new CreateClusterCommand({ clusterName: C }));
  for (const rev of [1, 2]) await server.ecs().send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'app', image: `web:${rev}`, memory: 64, portMappings: [{ containerPort: 80, hostPort: 0 }] }] }));
  for (let i = 0; i < 2; i++) {
    const a = new ScriptedAgent(server.endpoint, `fault-host-${i}`, C, { auto: true, az: `local-1${'ab'[i]}`, startMs: 40, stopMs: 40, reconnectToken: token });
    await a.connect(token);
    agents.push(a);
  }
  await server.ecs().send(new CreateServiceCommand({ cluster: C, serviceName: 'web', taskDefinition: 'web:1', desiredCount: DESIRED }));
  await until('stable', async () => stable(await describe1()));
});

after(async () => {
  for (const a of agents) a.close();
  await server.stop();
  server.cleanup();
});

describe('SIGKILL of the server during a deployment', () => {
  it(`converges with no lost write and no duplicate task, ${RUNS} runs`, async () => {
    const reconverge: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const rev = run % 2 === 0 ? 2 : 1;
      let maxLive = 0;
      const sampler = setInterval(() => { maxLive = Math.max(maxLive, liveOnAgents()); }, 2);
      const ack = await server.ecs().send(new UpdateServiceCommand({ cluster: C, service: 'web', taskDefinition: `web:${rev}`, forceNewDeployment: true }));
      const ackedDeployment = ack.service!.deployments![0].id!;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 250)));
      await server.kill();
      const downFor = Math.floor(Math.random() * 300);
      await new Promise((r) => setTimeout(r, downFor));
      const t0 = Date.now();
      server = await startServerProcess({ dataDir: server.dataDir, port: server.port, env: { WHARF_LOG_LEVEL: 'warn' } });
      const s = await until(`run ${run}: converged`, async () => { const x = await describe1(); return stable(x) && runningOnAgents() === DESIRED && x; });
      reconverge.push(Date.now() - t0);
      clearInterval(sampler);
      // The acknowledged UpdateService survived the crash.
      assert.match(s.taskDefinition!, new RegExp(`web:${rev}$`), `run ${run}: acknowledged task definition lost`);
      assert.equal(s.deployments![0].id, ackedDeployment, `run ${run}: the acknowledged deployment is the one that completed`);
      // No duplicates: never more live than maximumPercent allows, exactly desired at the end.
      assert.ok(maxLive <= DESIRED * 2, `run ${run}: ${maxLive} live tasks > ${DESIRED * 2}`);
      const arns = (await server.ecs().send(new ListTasksCommand({ cluster: C, serviceName: 'web' }))).taskArns!;
      assert.equal(arns.length, DESIRED, `run ${run}: ${arns.length} tasks desired RUNNING`);
      const tasks = (await server.ecs().send(new DescribeTasksCommand({ cluster: C, tasks: arns }))).tasks!;
      assert.ok(tasks.every((t) => t.startedBy === ackedDeployment && t.lastStatus === 'RUNNING'));
    }
    reconverge.sort((a, b) => a - b);
    console.log(`# ${RUNS} SIGKILL runs: reconverge p50 ${reconverge[Math.floor(RUNS / 2)]} ms, max ${reconverge[RUNS - 1]} ms`);
  });
});
