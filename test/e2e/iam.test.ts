/**
 * IAM enforced, end to end: a real `wharf server`, `wharf iam create-user`, the AWS CLI and the SDK.
 * A read-only user may describe but not run tasks; an explicit deny beats an allow; iam:PassRole is
 * checked for a task definition's roles; STS sessions (AssumeRole, GetSessionToken) carry the role's
 * permissions and nothing else; malformed policies and untrusted callers get IAM's own errors.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  AccessDeniedException, CreateClusterCommand, DescribeTasksCommand, ECSClient, ListClustersCommand, RegisterTaskDefinitionCommand, RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutUserPolicyCommand, CreateUserCommand, CreateAccessKeyCommand, GetUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { cliEntry, runAws, startServerProcess, testEnv, type Credentials, type TestServer } from '../support/server.js';

let server: TestServer;
const ACCT = '000000000000';
const TD = `arn:aws:ecs:us-east-1:${ACCT}:task-definition/iam-web:1`;

const ecsAs = (c: Credentials & { sessionToken?: string }) => new ECSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: c, maxAttempts: 1 });
const iamAs = (c: Credentials & { sessionToken?: string }) => new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: c, maxAttempts: 1 });
const stsAs = (c: Credentials & { sessionToken?: string }) => new STSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: c, maxAttempts: 1 });

async function userWithPolicy(name: string, document: object): Promise<Credentials> {
  const iam = iamAs(server.credentials);
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(document) }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

let reader: Credentials;

/** An authorized RunTask on a cluster without instances gets ECS's own answer, not AccessDenied. */
async function assertReachesEcs(p: Promise<unknown>): Promise<void> {
  const e = await p.then(() => undefined, (x: unknown) => x as Error);
  assert.equal(e?.name, 'InvalidParameterException', String(e));
  assert.equal(e?.message, 'No Container Instances were found in your cluster.');
}

before(async () => {
  server = await startServerProcess();
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'iam-web', taskRoleArn: `arn:aws:iam::${ACCT}:role/app-task`,
    containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, essential: true }],
  }));
  // The user is made by `wharf iam create-user`, as a user of Wharf would.
  const r = spawnSync(process.execPath, [cliEntry, 'iam', 'create-user', 'reader', '--managed-policy', 'ReadOnlyAccess', '-o', 'json', '--endpoint-url', server.endpoint],
    { env: testEnv(server.credentials), encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { AccessKeyId: string; SecretAccessKey: string; AttachedPolicies: string[] };
  assert.match(out.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
  assert.deepEqual(out.AttachedPolicies, ['arn:aws:iam::aws:policy/ReadOnlyAccess']);
  reader = { accessKeyId: out.AccessKeyId, secretAccessKey: out.SecretAccessKey };
});
after(async () => {
  await server.stop();
  server.cleanup();
});

describe('a read-only user', () => {
  it('is denied RunTask with AWS message (SDK), naming the resolved task definition revision', async () => {
    const err = await ecsAs(reader).send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'iam-web' })).catch((e: unknown) => e);
    assert.ok(err instanceof AccessDeniedException, String(err));
    assert.equal(err.message, `User: arn:aws:iam::${ACCT}:user/reader is not authorized to perform: ecs:RunTask on resource: ${TD} because no identity-based policy allows the ecs:RunTask action`);
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  it('is allowed DescribeTasks and ListClusters (AWS CLI and SDK)', async () => {
    const d = runAws(server.endpoint, reader, ['ecs', 'describe-tasks', '--cluster', 'default', '--tasks', '0123456789abcdef0123456789abcdef']);
    assert.equal(d.status, 0, d.stderr);
    assert.equal(d.json.failures[0].reason, 'MISSING');
    const sdk = await ecsAs(reader).send(new DescribeTasksCommand({ cluster: 'default', tasks: ['0123456789abcdef0123456789abcdef'] }));
    assert.equal(sdk.failures?.[0]?.reason, 'MISSING');
    const l = await ecsAs(reader).send(new ListClustersCommand({}));
    assert.ok(l.clusterArns?.includes(`arn:aws:ecs:us-east-1:${ACCT}:cluster/default`));
  });

  it('is denied run-task through the AWS CLI, which prints the AccessDeniedException', () => {
    const r = runAws(server.endpoint, reader, ['ecs', 'run-task', '--cluster', 'default', '--task-definition', 'iam-web:1']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /AccessDeniedException/);
    assert.match(r.stderr, /is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:000000000000:task-definition\/iam-web:1/);
  });

  it('gets the query protocol AccessDenied (HTTP 403) from IAM, and its own user with GetUser', async () => {
    const r = runAws(server.endpoint, reader, ['iam', 'create-user', '--user-name', 'mallory']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\(AccessDenied\) when calling the CreateUser operation: User: arn:aws:iam::000000000000:user\/reader is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user\/mallory/);
    const me = await iamAs(reader).send(new GetUserCommand({}));
    assert.equal(me.User?.UserName, 'reader');
    const users = (await iamAs(server.credentials).send(new ListUsersCommand({}))).Users!.map((u) => u.UserName);
    assert.deepEqual(users, ['admin', 'reader']);
  });
});

describe('policy decisions on the API path', () => {
  it('an explicit deny beats an allow, and says so', async () => {
    const c = await userWithPolicy('ops', { Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Action: 'ecs:*', Resource: '*' },
      { Effect: 'Deny', Action: 'ecs:CreateCluster', Resource: `arn:aws:ecs:*:${ACCT}:cluster/prod-*` },
    ] });
    await ecsAs(c).send(new CreateClusterCommand({ clusterName: 'dev-1' }));
    const err = await ecsAs(c).send(new CreateClusterCommand({ clusterName: 'prod-1' })).catch((e: unknown) => e);
    assert.ok(err instanceof AccessDeniedException);
    assert.match(err.message, /ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:000000000000:cluster\/prod-1 with an explicit deny in an identity-based policy$/);
  });

  it('RunTask needs iam:PassRole on the task definition\'s role', async () => {
    const c = await userWithPolicy('runner', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:RunTask', Resource: '*' }] });
    const err = await ecsAs(c).send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'iam-web' })).catch((e: unknown) => e);
    assert.ok(err instanceof AccessDeniedException);
    assert.match(err.message, /iam:PassRole on resource: arn:aws:iam::000000000000:role\/app-task because no identity-based policy allows the iam:PassRole action/);
    const c2 = await userWithPolicy('runner2', { Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Action: 'ecs:RunTask', Resource: `arn:aws:ecs:*:${ACCT}:task-definition/iam-web:*`, Condition: { ArnEquals: { 'ecs:cluster': `arn:aws:ecs:us-east-1:${ACCT}:cluster/default` } } },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
    ] });
    // Authorized: the request reaches ECS, which has no container instance to place it on.
    await assertReachesEcs(ecsAs(c2).send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'iam-web' })));
    const other = await ecsAs(c2).send(new RunTaskCommand({ cluster: 'dev-1', taskDefinition: 'iam-web' })).catch((e: unknown) => e);
    assert.ok(other instanceof AccessDeniedException, 'the ecs:cluster condition limits RunTask to the default cluster');
  });

  it('a malformed policy document is refused with MalformedPolicyDocument and changes nothing', () => {
    const r = runAws(server.endpoint, server.credentials, ['iam', 'put-user-policy', '--user-name', 'reader', '--policy-name', 'bad', '--policy-document', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /\(MalformedPolicyDocument\) when calling the PutUserPolicy operation: Policy statement must contain actions\./);
    const l = runAws(server.endpoint, server.credentials, ['iam', 'list-user-policies', '--user-name', 'reader']);
    assert.deepEqual(l.json.PolicyNames, []);
  });
});

describe('STS', () => {
  it('AssumeRole: trust decides, the session has the role\'s permissions only, GetCallerIdentity shows the session', async () => {
    const admin = iamAs(server.credentials);
    await admin.send(new CreateRoleCommand({ RoleName: 'deploy', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:user/reader` }, Action: 'sts:AssumeRole' }] }) }));
    await admin.send(new AttachRolePolicyCommand({ RoleName: 'deploy', PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess' }));
    // Trusted by name: enough on its own, though the reader's policy does not allow sts:AssumeRole.
    const out = await stsAs(reader).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCT}:role/deploy`, RoleSessionName: 'ci-42', DurationSeconds: 900 }));
    const c = out.Credentials!;
    assert.match(c.AccessKeyId!, /^ASIA/);
    assert.ok(c.Expiration!.getTime() > Date.now() + 800_000 && c.Expiration!.getTime() < Date.now() + 1_000_000);
    const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    const who = await stsAs(session).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${ACCT}:assumed-role/deploy/ci-42`);
    assert.equal(who.Account, ACCT);
    // The role's AmazonECS_FullAccess passes roles to ecs-tasks, so RunTask is authorized.
    await assertReachesEcs(ecsAs(session).send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'iam-web' })));
    const denied = await iamAs(session).send(new ListUsersCommand({})).catch((e: unknown) => e as Error);
    assert.equal((denied as Error).name, 'AccessDenied');
    assert.match((denied as Error).message, /^User: arn:aws:sts::000000000000:assumed-role\/deploy\/ci-42 is not authorized to perform: iam:ListUsers/);

    // The same key without its session token, or with another one, is not accepted.
    const noToken = await ecsAs({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new ListClustersCommand({})).catch((e: unknown) => e as Error);
    assert.equal((noToken as Error).name, 'UnrecognizedClientException');
    const wrong = await ecsAs({ ...session, sessionToken: session.sessionToken.slice(0, -4) + 'AAAA' }).send(new ListClustersCommand({})).catch((e: unknown) => e as Error);
    assert.equal((wrong as Error).name, 'UnrecognizedClientException');

    // The AWS CLI reads a session from the environment too.
    const cli = spawnSync('/usr/bin/aws', ['--endpoint-url', server.endpoint, '--output', 'json', 'sts', 'get-caller-identity'], {
      env: { ...testEnv({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }), AWS_SESSION_TOKEN: session.sessionToken }, encoding: 'utf8',
    });
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).Arn, `arn:aws:sts::${ACCT}:assumed-role/deploy/ci-42`);
  });

  it('AssumeRole by a caller the trust policy does not name is AccessDenied; so is an unknown role', async () => {
    const c = await userWithPolicy('stranger', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] });
    for (const role of ['deploy', 'no-such-role']) {
      const e = await stsAs(c).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCT}:role/${role}`, RoleSessionName: 'probe' })).catch((x: unknown) => x as Error);
      assert.equal((e as Error).name, 'AccessDenied');
      assert.equal((e as Error).message, `User: arn:aws:iam::${ACCT}:user/stranger is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCT}:role/${role} because no identity-based policy allows the sts:AssumeRole action`);
    }
  });

  it('GetSessionToken gives a session with the user\'s own permissions', async () => {
    const out = await stsAs(reader).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const s = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    assert.equal((await stsAs(s).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCT}:user/reader`);
    await ecsAs(s).send(new ListClustersCommand({}));
    const e = await ecsAs(s).send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'iam-web' })).catch((x: unknown) => x);
    assert.ok(e instanceof AccessDeniedException);
  });
});
