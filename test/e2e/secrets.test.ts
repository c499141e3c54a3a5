/**
 * Secrets Manager and Parameter Store end to end (AWS CLI and SDK): versions and staging labels,
 * scheduled deletion and restore, SecureString decryption, paths — and the values never appear in the
 * state database file, the server's log, or the answers of calls that do not ask for them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, PutSecretValueCommand,
  RestoreSecretCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, GetParametersByPathCommand, GetParametersCommand, PutParameterCommand, SSMClient, DescribeParametersCommand } from '@aws-sdk/client-ssm';
import { startServerProcess, type TestServer } from '../support/server.js';

let server: TestServer;
let sm: SecretsManagerClient;
let ssm: SSMClient;
const SECRET_V1 = 'hunter2-first-' + Math.random().toString(36).slice(2);
const SECRET_V2 = 'hunter2-second-' + Math.random().toString(36).slice(2);
const PARAM = 'param-secure-' + Math.random().toString(36).slice(2);

before(async () => {
  server = await startServerProcess();
  const cfg = { endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials, maxAttempts: 1 };
  sm = new SecretsManagerClient(cfg);
  ssm = new SSMClient(cfg);
});
after(async () => {
  await server.stop();
  server.cleanup();
});

describe('Secrets Manager', () => {
  it('versions move AWSCURRENT → AWSPREVIOUS; values come back only from GetSecretValue', async () => {
    const c = await sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: JSON.stringify({ username: 'app', password: SECRET_V1 }) }));
    assert.match(c.ARN!, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:app\/db-[A-Za-z0-9]{6}$/);
    const p = await sm.send(new PutSecretValueCommand({ SecretId: 'app/db', SecretString: JSON.stringify({ username: 'app', password: SECRET_V2 }) }));
    assert.deepEqual(p.VersionStages, ['AWSCURRENT']);
    const cur = await sm.send(new GetSecretValueCommand({ SecretId: c.ARN }));
    assert.equal(JSON.parse(cur.SecretString!).password, SECRET_V2);
    const prev = await sm.send(new GetSecretValueCommand({ SecretId: 'app/db', VersionStage: 'AWSPREVIOUS' }));
    assert.equal(JSON.parse(prev.SecretString!).password, SECRET_V1);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'app/db' }));
    assert.deepEqual(Object.values(d.VersionIdsToStages!).map((s) => s.join()).sort(), ['AWSCURRENT', 'AWSPREVIOUS']);
    assert.ok(!JSON.stringify(d).includes('hunter2'));
    const l = await sm.send(new ListSecretsCommand({}));
    assert.deepEqual(l.SecretList!.map((s) => s.Name), ['app/db']);
    assert.ok(!JSON.stringify(l).includes('hunter2'));
  });

  it('the AWS CLI reads it; a missing secret is ResourceNotFoundException; a second create is ResourceExistsException', () => {
    const g = server.aws(['secretsmanager', 'get-secret-value', '--secret-id', 'app/db']);
    assert.equal(g.status, 0, g.stderr);
    assert.equal(JSON.parse(g.json.SecretString).password, SECRET_V2);
    const miss = server.aws(['secretsmanager', 'get-secret-value', '--secret-id', 'nope']);
    assert.match(miss.stderr, /\(ResourceNotFoundException\) when calling the GetSecretValue operation: Secrets Manager can't find the specified secret\./);
    const dup = server.aws(['secretsmanager', 'create-secret', '--name', 'app/db', '--secret-string', 'x']);
    assert.match(dup.stderr, /\(ResourceExistsException\).*already exists/);
  });

  it('DeleteSecret schedules deletion (reads refused), RestoreSecret brings it back', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tmp', SecretString: 'v' }));
    const del = await sm.send(new DeleteSecretCommand({ SecretId: 'tmp', RecoveryWindowInDays: 7 }));
    assert.ok(del.DeletionDate!.getTime() > Date.now() + 6 * 86_400_000);
    const e = await sm.send(new GetSecretValueCommand({ SecretId: 'tmp' })).catch((x: Error) => x);
    assert.equal((e as Error).name, 'InvalidRequestException');
    await sm.send(new RestoreSecretCommand({ SecretId: 'tmp' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'tmp' }))).SecretString, 'v');
    await sm.send(new DeleteSecretCommand({ SecretId: 'tmp', ForceDeleteWithoutRecovery: true }));
    const gone = await sm.send(new GetSecretValueCommand({ SecretId: 'tmp' })).catch((x: Error) => x);
    assert.equal((gone as Error).name, 'ResourceNotFoundException');
  });
});

describe('Parameter Store', () => {
  it('SecureString: ciphertext without WithDecryption, the value with it; versions; paths', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/app/prod/db-password', Type: 'SecureString', Value: PARAM }));
    await ssm.send(new PutParameterCommand({ Name: '/app/prod/region', Type: 'String', Value: 'eu-west-1' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/prod/deep/x', Type: 'StringList', Value: 'a,b' }));
    const sealed = await ssm.send(new GetParameterCommand({ Name: '/app/prod/db-password' }));
    assert.notEqual(sealed.Parameter!.Value, PARAM);
    const open = await ssm.send(new GetParameterCommand({ Name: '/app/prod/db-password', WithDecryption: true }));
    assert.equal(open.Parameter!.Value, PARAM);
    assert.equal(open.Parameter!.ARN, 'arn:aws:ssm:us-east-1:000000000000:parameter/app/prod/db-password');
    const again = server.aws(['ssm', 'put-parameter', '--name', '/app/prod/region', '--type', 'String', '--value', 'x']);
    assert.match(again.stderr, /\(ParameterAlreadyExists\)/);
    const v2 = server.aws(['ssm', 'put-parameter', '--name', '/app/prod/region', '--value', 'us-east-2', '--overwrite']);
    assert.equal(v2.json.Version, 2);
    const v1 = await ssm.send(new GetParameterCommand({ Name: '/app/prod/region:1' }));
    assert.equal(v1.Parameter!.Value, 'eu-west-1');
    const one = await ssm.send(new GetParametersByPathCommand({ Path: '/app/prod' }));
    assert.deepEqual(one.Parameters!.map((p) => p.Name).sort(), ['/app/prod/db-password', '/app/prod/region']);
    const all = await ssm.send(new GetParametersByPathCommand({ Path: '/app', Recursive: true, WithDecryption: true }));
    assert.equal(all.Parameters!.length, 3);
    const many = await ssm.send(new GetParametersCommand({ Names: ['/app/prod/region', '/nope'] }));
    assert.deepEqual(many.InvalidParameters, ['/nope']);
    const described = await ssm.send(new DescribeParametersCommand({}));
    assert.equal(described.Parameters!.length, 3);
    assert.ok(!JSON.stringify(described).includes(PARAM));
    const miss = server.aws(['ssm', 'get-parameter', '--name', '/nope']);
    assert.match(miss.stderr, /\(ParameterNotFound\) when calling the GetParameter operation/);
  });
});

describe('at rest', () => {
  it('no value is in any file of the data directory or in the server log; the key file is 0600', () => {
    const files: string[] = [];
    const walk = (d: string) => { for (const e of readdirSync(d)) { const p = join(d, e); const st = statSync(p); if (st.isDirectory()) walk(p); else if (st.isFile()) files.push(p); } };
    walk(server.dataDir);
    for (const f of files) {
      const text = readFileSync(f).toString('latin1');
      for (const v of [SECRET_V1, SECRET_V2, PARAM]) assert.ok(!text.includes(v), `${v} found in ${f}`);
    }
    const log = server.output.join('\n');
    for (const v of [SECRET_V1, SECRET_V2, PARAM]) assert.ok(!log.includes(v), 'value in the server log');
    assert.equal(statSync(join(server.dataDir, 'secrets.key')).mode & 0o777, 0o600);
  });
});
