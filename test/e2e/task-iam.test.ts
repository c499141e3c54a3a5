/**
 * Task roles, execution roles and secrets with real containers: a real server and agent, Podman, a
 * busybox container that reads 169.254.170.2 (credentials and task metadata v4) with wget, as an SDK
 * inside it would. The credentials it gets are checked from the test with the SDK: allowed and denied
 * exactly as the role says. A neighbour task cannot read them. A Secrets Manager JSON key and an SSM
 * SecureString arrive as environment variables and appear in no API answer and no log. An image in a
 * private registry (Debian's docker-registry with htpasswd) is pulled with the repositoryCredentials
 * secret, and refused without it.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListClustersCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client, RevokeSecurityGroupEgressCommand } from '@aws-sdk/client-ec2';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, type AgentProcess, removeClusterContainers } from '../support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';
import { containerOutput, until } from '../support/wait.js';

const cluster = `taskiam-${process.pid}`;
const ACCT = '000000000000';
const SECRET = 'pw-' + Math.random().toString(36).slice(2);
const PARAM = 'tok-' + Math.random().toString(36).slice(2);
let server: TestServer;
let agent: AgentProcess;
let image: string;
let ecs: ECSClient;
let secretArn: string;
let built: { layoutDir: string };
let privateRegistry: ChildProcess | undefined;
const work = mkdtempSync(join(tmpdir(), 'wharf-taskiam-e2e-'));



const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

before(async () => {
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'info' } });
  ecs = server.ecs();
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials };
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const ecr = new ECRClient(cfg);
  const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'taskiam/busybox' }));
  image = `${repo.repository!.repositoryUri}:1`;
  built = await buildBusyboxImage(join(work, 'img'));
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });

  const iam = new IAMClient(cfg);
  await iam.send(new CreateRoleCommand({ RoleName: 'app-task', AssumeRolePolicyDocument: trust }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'app-task', PolicyName: 'list', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' }] }) }));
  await iam.send(new CreateRoleCommand({ RoleName: 'exec', AssumeRolePolicyDocument: trust }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'exec', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'exec', PolicyName: 'secrets', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameters'], Resource: [`arn:aws:secretsmanager:us-east-1:${ACCT}:secret:app/*`, `arn:aws:ssm:us-east-1:${ACCT}:parameter/app/*`] },
  ] }) }));
  secretArn = (await new SecretsManagerClient(cfg).send(new CreateSecretCommand({ Name: 'app/db', SecretString: JSON.stringify({ username: 'app', password: SECRET }) }))).ARN!;
  await new SSMClient(cfg).send(new PutParameterCommand({ Name: '/app/token', Type: 'SecureString', Value: PARAM }));

  agent = await startAgent(server, { cluster, name: 'taskiam', cpu: 2048, memory: 1024, stopTimeout: 1 });
  await until('agent connected', async () => (await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 1);
});

after(async () => {
  privateRegistry?.kill('SIGKILL');
  await agent?.kill('SIGTERM');
  agent?.cleanup();
  await removeClusterContainers(cluster);
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function runTask(family: string): Promise<string> {
  const r = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
  assert.equal(r.failures?.length ?? 0, 0, JSON.stringify(r.failures));
  return r.tasks![0].taskArn!;
}

let appTask = '';
let credsUri = '';

describe('task role and secrets', () => {
  it('the container reads its role credentials and task metadata at 169.254.170.2; secrets are in its environment', async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'withrole', taskRoleArn: `arn:aws:iam::${ACCT}:role/app-task`, executionRoleArn: `arn:aws:iam::${ACCT}:role/exec`,
      containerDefinitions: [{
        name: 'app', image, memory: 32,
        secrets: [{ name: 'DB_PASSWORD', valueFrom: `${secretArn}:password::` }, { name: 'API_TOKEN', valueFrom: '/app/token' }],
        command: ['sh', '-c', [
          'sleep 1',
          'echo "URI=$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"',
          'echo "CREDS=$(wget -q -O - http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)"',
          'echo "TASK=$(wget -q -O - $ECS_CONTAINER_METADATA_URI_V4/task)"',
          '[ "$DB_PASSWORD" = "$EXPECT_PW" ] && echo PW=ok || echo PW=wrong',
          '[ "$API_TOKEN" = "$EXPECT_TOKEN" ] && echo TOKEN=ok || echo TOKEN=wrong',
          'exec sleep 600',
        ].join('; ')],
        // The test's expectations ride plain environment variables, so the container's output never echoes a secret.
        environment: [{ name: 'EXPECT_PW', value: SECRET }, { name: 'EXPECT_TOKEN', value: PARAM }],
      }],
    }));
    appTask = await runTask('withrole');
    const out = await until('the container printed its findings', async () => { const o = containerOutput(appTask); return /TOKEN=/.test(o) && o; });
    assert.match(out, /^PW=ok$/m);
    assert.match(out, /^TOKEN=ok$/m);
    credsUri = /^URI=(\/v2\/credentials\/[0-9a-f]{32})$/m.exec(out)![1];
    const creds = JSON.parse(/^CREDS=(.*)$/m.exec(out)![1]) as { RoleArn: string; AccessKeyId: string; SecretAccessKey: string; Token: string; Expiration: string };
    assert.equal(creds.RoleArn, `arn:aws:iam::${ACCT}:role/app-task`);
    assert.match(creds.AccessKeyId, /^ASIA/);
    assert.ok(Date.parse(creds.Expiration) > Date.now() + 3600_000);
    const meta = JSON.parse(/^TASK=(.*)$/m.exec(out)![1]) as { TaskARN: string; Cluster: string; Family: string; Revision: string; Containers: { Name: string }[] };
    assert.equal(meta.TaskARN, appTask);
    assert.equal(meta.Family, 'withrole');
    assert.equal(meta.Revision, '1');
    assert.deepEqual(meta.Containers.map((c) => c.Name), ['app']);

    // The credentials carry the task role's permissions, and only those.
    const asTask = new ECSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.Token }, maxAttempts: 1 });
    assert.ok((await asTask.send(new ListClustersCommand({}))).clusterArns!.length >= 1);
    const denied = await asTask.send(new CreateClusterCommand({ clusterName: 'nope' })).catch((e: Error) => e);
    assert.equal((denied as Error).name, 'AccessDeniedException');
    const taskId = appTask.split('/').pop();
    assert.match((denied as Error).message, new RegExp(`^User: arn:aws:sts::${ACCT}:assumed-role/app-task/${taskId} is not authorized to perform: ecs:CreateCluster`));
  });

  it("a neighbour task cannot read the first task's credentials, even knowing the URI", async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'neighbour',
      containerDefinitions: [{
        name: 'n', image, memory: 32,
        command: ['sh', '-c', `sleep 1; echo "STEAL=$(wget -S -O - http://169.254.170.2${credsUri} 2>&1 | tr '\\n' ' ')"; exec sleep 600`],
      }],
    }));
    const t = await runTask('neighbour');
    const out = await until('the neighbour printed', async () => { const o = containerOutput(t); return /STEAL=/.test(o) && o; });
    assert.match(out, /400 Bad Request/);
    assert.doesNotMatch(out, /ASIA/);
  });

  it('an awsvpc task, in its own namespace and a security group that allows no egress, reads its role credentials and metadata', async () => {
    const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials };
    const ec2 = new EC2Client(cfg);
    const subnet = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets![0]!;
    const group = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'no-egress', Description: 'nothing out', VpcId: subnet.VpcId }))).GroupId!;
    const egress = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [group] }))).SecurityGroups![0]!.IpPermissionsEgress!;
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: group, IpPermissions: egress }));
    ec2.destroy();
    // busybox-static's wget crashes inside awsvpc namespaces on these machines (see awsvpc.test.ts): HTTP/1.0 through nc.
    const get = (path: string) => `printf "GET ${path} HTTP/1.0\\r\\nHost: 169.254.170.2\\r\\n\\r\\n" | nc -w 2 169.254.170.2 80 | tail -n 1`;
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'vpcrole', networkMode: 'awsvpc', taskRoleArn: `arn:aws:iam::${ACCT}:role/app-task`,
      containerDefinitions: [{
        name: 'app', image, memory: 32,
        command: ['sh', '-c', [
          'sleep 1',
          `echo "CREDS=$(${get('$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')})"`,
          `echo "TASK=$(${get('${ECS_CONTAINER_METADATA_URI_V4#http://169.254.170.2}/task')})"`,
          'exec sleep 600',
        ].join('; ')],
      }],
    }));
    const r = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'vpcrole', networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.SubnetId!], securityGroups: [group] } } }));
    assert.equal(r.failures?.length ?? 0, 0, JSON.stringify(r.failures));
    const t = r.tasks![0]!.taskArn!;
    // (awsvpc.test.ts shows that a group without an egress rule drops everything else the task sends.)
    const out = await until('the awsvpc container printed its findings', async () => { const o = containerOutput(t); return /TASK=/.test(o) && o; });
    const creds = JSON.parse(/^CREDS=(.*)$/m.exec(out)?.[1] || 'null') as { RoleArn: string; AccessKeyId: string; SecretAccessKey: string; Token: string } | null;
    assert.ok(creds, `no credentials in the output:\n${out}`);
    assert.equal(creds.RoleArn, `arn:aws:iam::${ACCT}:role/app-task`);
    const meta = JSON.parse(/^TASK=(.*)$/m.exec(out)![1]!) as { TaskARN: string; Family: string; Containers: { Networks: Record<string, unknown>[] }[] };
    assert.equal(meta.TaskARN, t);
    assert.equal(meta.Family, 'vpcrole');
    const eni = Object.fromEntries((await ecs.send(new DescribeTasksCommand({ cluster, tasks: [t] }))).tasks![0]!.attachments![0]!.details!.map((d) => [d.name, d.value]));
    assert.deepEqual(meta.Containers[0]!.Networks, [{
      NetworkMode: 'awsvpc', IPv4Addresses: [eni.privateIPv4Address], AttachmentIndex: 0, MACAddress: eni.macAddress,
      IPv4SubnetCIDRBlock: subnet.CidrBlock, PrivateDNSName: eni.privateDnsName, SubnetGatewayIpv4Address: `${subnet.CidrBlock!.replace(/\.\d+\/(\d+)$/, '.1/$1')}`,
    }], 'the metadata describes the task\'s interface as DescribeTasks does');
    const asTask = new ECSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.Token }, maxAttempts: 1 });
    assert.ok((await asTask.send(new ListClustersCommand({}))).clusterArns!.length >= 1, 'the awsvpc task\'s credentials work');
    asTask.destroy();
  });

  it('the secret values are in no API answer and no log', async () => {
    const d = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [appTask] }));
    const text = JSON.stringify(d);
    assert.ok(!text.includes(SECRET) && !text.includes(PARAM));
    // The expectations the test passed as plain environment variables are of course in the task
    // definition; the resolved `secrets` are not in the task.
    assert.ok(!JSON.stringify(d.tasks![0].overrides ?? {}).includes(SECRET));
    for (const line of [...server.output, ...agent.output]) assert.ok(!line.includes(SECRET) && !line.includes(PARAM), 'a value reached a log');
  });

  it('a JSON key that is not in the secret stops the task with ResourceInitializationError', async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'badkey', executionRoleArn: `arn:aws:iam::${ACCT}:role/exec`,
      containerDefinitions: [{ name: 'app', image, memory: 32, secrets: [{ name: 'X', valueFrom: `${secretArn}:nope::` }], command: ['sleep', '600'] }],
    }));
    const t = await runTask('badkey');
    const stopped = await until('the task stops', async () => {
      const x = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [t] }))).tasks![0];
      return x.lastStatus === 'STOPPED' && x;
    });
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.equal(stopped.stoppedReason, 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key nope');
  });

  it('repositoryCredentials: an image in a private registry is pulled with the secret\'s username and password, and refused without them', { timeout: 180_000 }, async () => {
    // Debian's docker-registry (distribution) with an htpasswd user, on a loopback port of its own.
    const port = await new Promise<number>((res) => { const srv = createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as { port: number }).port; srv.close(() => res(p)); }); });
    const dir = join(work, 'private-registry');
    mkdirSync(dir, { recursive: true });
    const password = 'reg-' + Math.random().toString(36).slice(2);
    const hash = execFileSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', password], { encoding: 'utf8' }).trim();
    writeFileSync(join(dir, 'htpasswd'), `puller:${hash}\n`);
    writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog: {level: error}\nstorage:\n  filesystem: {rootdirectory: ${dir}/data}\nhttp: {addr: 127.0.0.1:${port}}\nauth:\n  htpasswd: {realm: wharf-e2e, path: ${dir}/htpasswd}\n`);
    privateRegistry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
    await until('the private registry answers', async () => (await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined))?.status === 401, 20_000);
    const privateImage = `127.0.0.1:${port}/team/busybox:1`;
    await pushToRegistry(built.layoutDir, privateImage, { creds: { username: 'puller', password } });

    const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials };
    // Without repositoryCredentials the registry refuses the pull (first: once pulled, an image is cached,
    // and a failed pull falls back to the cached image, as ECS's default pull behaviour does).
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'private-nocreds', containerDefinitions: [{ name: 'app', image: privateImage, memory: 32, command: ['sleep', '600'] }] }));
    const u = await runTask('private-nocreds');
    const refused = await until('the task without credentials stops', async () => {
      const x = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [u] }))).tasks![0];
      return (x.lastStatus === 'STOPPED' || x.lastStatus === 'RUNNING') && x;
    });
    assert.equal(refused.lastStatus, 'STOPPED', 'no credentials, no pull');
    assert.equal(refused.stopCode, 'TaskFailedToStart');
    assert.match(refused.containers![0].reason ?? '', /^CannotPullContainerError: .*(unauthori[sz]ed|authentication required)/i);

    // A secret that is not {"username","password"}: ECS's ResourceInitializationError, nothing pulled.
    const badArn = (await new SecretsManagerClient(cfg).send(new CreateSecretCommand({ Name: 'app/registry-bad', SecretString: 'just-a-token' }))).ARN!;
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'private-bad', executionRoleArn: `arn:aws:iam::${ACCT}:role/exec`,
      containerDefinitions: [{ name: 'app', image: privateImage, memory: 32, repositoryCredentials: { credentialsParameter: badArn }, command: ['sleep', '600'] }],
    }));
    const v = await runTask('private-bad');
    const bad = await until('the task with a malformed credentials secret stops', async () => {
      const x = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [v] }))).tasks![0];
      return x.lastStatus === 'STOPPED' && x;
    });
    assert.equal(bad.stopCode, 'TaskFailedToStart');
    assert.equal(bad.stoppedReason, `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: asm fetching secret from the service for ${badArn}: the secret is not registry credentials: it must be JSON with "username" and "password" strings`);
    const credsArn = (await new SecretsManagerClient(cfg).send(new CreateSecretCommand({ Name: 'app/registry', SecretString: JSON.stringify({ username: 'puller', password }) }))).ARN!;
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'private', executionRoleArn: `arn:aws:iam::${ACCT}:role/exec`,
      containerDefinitions: [{ name: 'app', image: privateImage, memory: 32, repositoryCredentials: { credentialsParameter: credsArn }, command: ['sh', '-c', 'echo pulled-privately; sleep 600'] }],
    }));
    const t = await runTask('private');
    const running = await until('the private-image task RUNNING (or STOPPED)', async () => {
      const x = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [t] }))).tasks![0];
      return (x.lastStatus === 'RUNNING' || x.lastStatus === 'STOPPED') && x;
    });
    assert.equal(running.lastStatus, 'RUNNING', `${running.stoppedReason} ${JSON.stringify(running.containers?.map((c) => c.reason))}`);
    await until('its output', async () => containerOutput(t).includes('pulled-privately'), 20_000);
    const d = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [t] }));
    assert.ok(!JSON.stringify(d).includes(password), 'the registry password is in no API answer');
    for (const line of [...server.output, ...agent.output]) assert.ok(!line.includes(password), 'the registry password reached a log');
    await ecs.send(new StopTaskCommand({ cluster, task: t }));

  });

  it('a host-mode task reads its credentials and metadata on the endpoint\'s loopback address, also after an agent restart; other tasks\' ids are refused there', { timeout: 180_000 }, async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'hostmode', networkMode: 'host', taskRoleArn: `arn:aws:iam::${ACCT}:role/app-task`,
      containerDefinitions: [{
        name: 'h', image, memory: 32,
        command: ['sh', '-c', [
          'sleep 1',
          'echo "FULL=$AWS_CONTAINER_CREDENTIALS_FULL_URI"',
          'echo "REL=${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-none}"',
          'echo "CREDS=$(wget -q -O - $AWS_CONTAINER_CREDENTIALS_FULL_URI)"',
          'echo "TASK=$(wget -q -O - $ECS_CONTAINER_METADATA_URI_V4/task)"',
          'exec sleep 600',
        ].join('; ')],
      }],
    }));
    const def = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'hostmode' }))).taskDefinition!;
    assert.ok(def.requiresAttributes!.some((a) => a.name === 'com.amazonaws.ecs.capability.task-iam-role-network-host'), 'placed only where host-mode task roles work, as ECS requires');
    const t = await runTask('hostmode');
    const out = await until('the host-mode container printed its findings', async () => { const o = containerOutput(t); return /TASK=/.test(o) && o; });
    const full = /^FULL=(http:\/\/127\.0\.0\.1:(\d+)\/v2\/credentials\/[0-9a-f]{32})$/m.exec(out);
    assert.ok(full, `a loopback full credentials URI: ${out}`);
    assert.match(out, /^REL=none$/m, 'no relative URI: 169.254.170.2 is not this task\'s to reach in host mode');
    const creds = JSON.parse(/^CREDS=(.*)$/m.exec(out)![1]) as { RoleArn: string; AccessKeyId: string };
    assert.equal(creds.RoleArn, `arn:aws:iam::${ACCT}:role/app-task`);
    assert.match(creds.AccessKeyId, /^ASIA/);
    assert.equal((JSON.parse(/^TASK=(.*)$/m.exec(out)![1]) as { TaskARN: string }).TaskARN, t);
    // From loopback only a host-mode task's id is answered: the bridge task's id (first test) is not.
    const port = full![2];
    const other = await fetch(`http://127.0.0.1:${port}${credsUri}`);
    assert.equal(other.status, 400);
    assert.equal(((await other.json()) as { code: string }).code, 'InvalidIdInRequest');
    // The agent restarts on the same port, so the running container's URI still works.
    await agent.kill('SIGKILL');
    await agent.restart();
    await until('agent reconnected', async () => (await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 1);
    const again = await until('the host-mode task\'s URI answers after the restart', async () => {
      const r = await fetch(full![1]).catch(() => undefined);
      return r?.status === 200 && (await r.json()) as { RoleArn: string };
    }, 30_000);
    assert.equal(again.RoleArn, `arn:aws:iam::${ACCT}:role/app-task`);
    await ecs.send(new StopTaskCommand({ cluster, task: t }));
  });

  it('the execution role decides pulls from Wharf\'s registry and awslogs streams, as ECS uses it', async () => {
    const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials };
    const iam = new IAMClient(cfg);
    await iam.send(new CreateRoleCommand({ RoleName: 'exec-bare', AssumeRolePolicyDocument: trust }));
    await iam.send(new CreateRoleCommand({ RoleName: 'exec-ecr', AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'exec-ecr', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }));
    const stoppedWith = async (family: string, executionRoleArn: string, logs: boolean) => {
      await ecs.send(new RegisterTaskDefinitionCommand({
        family, executionRoleArn,
        containerDefinitions: [{ name: 'app', image, memory: 32, command: ['sleep', '600'],
          ...(logs ? { logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/execrole', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' } } } : {}) }],
      }));
      const t = await runTask(family);
      return until(`${family} stops`, async () => {
        const x = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [t] }))).tasks![0];
        return (x.lastStatus === 'STOPPED' || x.lastStatus === 'RUNNING') && x;
      });
    };
    // No ECR permissions: the pull is refused as ECR refuses it (403), before anything is created.
    const bare = await stoppedWith('exec-bare', `arn:aws:iam::${ACCT}:role/exec-bare`, false);
    assert.equal(bare.lastStatus, 'STOPPED');
    assert.equal(bare.stopCode, 'TaskFailedToStart');
    const host = image.slice(0, image.indexOf('/'));
    assert.equal(bare.stoppedReason, `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${image}: pulling from host ${host} failed with status code [manifests 1]: 403 Forbidden`);
    // ECR read but no logs permissions: awslogs cannot make the task's stream.
    const noLogs = await stoppedWith('exec-nologs', `arn:aws:iam::${ACCT}:role/exec-ecr`, true);
    assert.equal(noLogs.lastStatus, 'STOPPED');
    const taskId = noLogs.taskArn!.split('/').pop();
    assert.equal(noLogs.stoppedReason, `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::${ACCT}:assumed-role/exec-ecr/${taskId} is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:us-east-1:${ACCT}:log-group:/ecs/execrole:log-stream:ecs/app/${taskId} because no identity-based policy allows the logs:CreateLogStream action : exit status 1`);
    // The managed execution role policy allows both: the task runs.
    const ok = await stoppedWith('exec-ok', `arn:aws:iam::${ACCT}:role/exec`, true);
    assert.equal(ok.lastStatus, 'RUNNING', `${ok.stoppedReason}`);
    await ecs.send(new StopTaskCommand({ cluster, task: ok.taskArn! }));
  });
});
