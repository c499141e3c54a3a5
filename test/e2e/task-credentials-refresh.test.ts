/**
 * Task role credentials are refreshed before they expire, with real containers: a server whose task role
 * sessions last 40 s (WHARF_TASK_CREDENTIALS_SECONDS; 6 h by default) and a busybox container that reads
 * its credentials every second, as an SDK's refreshing provider would. It must see new credentials before
 * the old ones expire, and the new ones must work.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, ECSClient, ListClustersCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';
import { containerOutput, until } from '../support/wait.js';

const cluster = `credrefresh-${process.pid}`;
const ACCT = '000000000000';
const SESSION_SECONDS = 40;
let server: TestServer;
let agent: AgentProcess;
let image: string;
let ecs: ECSClient;
const work = mkdtempSync(join(tmpdir(), 'wharf-credrefresh-e2e-'));



before(async () => {
  server = await startServerProcess({ env: { WHARF_TASK_CREDENTIALS_SECONDS: String(SESSION_SECONDS) } });
  ecs = server.ecs();
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials };
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const repo = await new ECRClient(cfg).send(new CreateRepositoryCommand({ repositoryName: 'credrefresh/busybox' }));
  image = `${repo.repository!.repositoryUri}:1`;
  const built = await buildBusyboxImage(join(work, 'img'));
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
  const iam = new IAMClient(cfg);
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  await iam.send(new CreateRoleCommand({ RoleName: 'refresh-task', AssumeRolePolicyDocument: trust }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'refresh-task', PolicyName: 'list', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' }] }) }));
  agent = await startAgent(server, { cluster, name: 'credrefresh', cpu: 1024, memory: 512, stopTimeout: 1 });
  await until('agent connected', async () => (await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 1);
});

after(async () => {
  await agent?.kill('SIGTERM');
  agent?.cleanup();
  await removeClusterContainers(cluster);
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('task role credentials', () => {
  it('are replaced before they expire: the container never holds expired ones, and the new ones work', { timeout: 180_000 }, async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'refresh', taskRoleArn: `arn:aws:iam::${ACCT}:role/refresh-task`,
      containerDefinitions: [{
        name: 'app', image, memory: 32,
        // Every second: the time, and the credentials' key id and expiration (one line, parsed below).
        command: ['sh', '-c', 'while true; do echo "AT=$(date +%s) $(wget -q -O - http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)"; sleep 1; done'],
      }],
    }));
    const r = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'refresh' }));
    const task = r.tasks![0].taskArn!;
    type Seen = { at: number; key: string; expiration: number; secret: string; token: string };
    const seen = (): Seen[] => containerOutput(task).split('\n').flatMap((l) => {
      const m = /^AT=(\d+) (\{.*\})$/.exec(l.trim());
      if (!m) return [];
      const c = JSON.parse(m[2]) as { AccessKeyId: string; SecretAccessKey: string; Token: string; Expiration: string };
      return [{ at: Number(m[1]) * 1000, key: c.AccessKeyId, expiration: Date.parse(c.Expiration), secret: c.SecretAccessKey, token: c.Token }];
    });
    // Two sessions of 40 s: at least three different credentials, each seen only while valid.
    const lines = await until('three credentials seen', async () => { const s = seen(); return new Set(s.map((x) => x.key)).size >= 3 && s; }, 150_000);
    const keys = [...new Set(lines.map((x) => x.key))];
    for (const l of lines) assert.ok(l.at < l.expiration, `credentials ${l.key} were served at ${l.at} after they expired at ${l.expiration}`);
    const first = lines.find((x) => x.key === keys[0])!;
    assert.ok(first.expiration - first.at <= SESSION_SECONDS * 1000 + 2000, 'sessions last WHARF_TASK_CREDENTIALS_SECONDS');
    // The newest credentials carry the role: they call ECS as the task.
    const latest = lines[lines.length - 1];
    const asTask = new ECSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: latest.key, secretAccessKey: latest.secret, sessionToken: latest.token }, maxAttempts: 1 });
    assert.ok((await asTask.send(new ListClustersCommand({}))).clusterArns!.length >= 1);
    console.log(`# ${keys.length} credentials in ${((lines[lines.length - 1].at - lines[0].at) / 1000).toFixed(0)} s; each replaced ${SESSION_SECONDS / 2} s before it expired`);
    await ecs.send(new StopTaskCommand({ cluster, task }));
  });
});
