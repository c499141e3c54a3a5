/**
 * ECR as a user meets it: the AWS CLI and @aws-sdk/client-ecr against a real server, the
 * `aws ecr get-login-password | podman login` flow, skopeo copy in and out (oci:, docker-archive:),
 * podman pull through the registry, and lifecycle expiry.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient, DescribeRepositoriesCommand, CreateRepositoryCommand, DescribeImagesCommand, BatchGetImageCommand, BatchDeleteImageCommand, GetAuthorizationTokenCommand, PutImageCommand, StartLifecyclePolicyPreviewCommand, GetLifecyclePolicyPreviewCommand, ListImagesCommand, DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startServerProcess, testEnv, type TestServer } from '../support/server.js';
import { buildBusyboxImage, type BuiltImage } from '../support/images.js';
import { adminAuth, http, pushImage } from './registry-helpers.js';

let s: TestServer;
let ecr: ECRClient;
let work: string;
let image: BuiltImage;
let host: string;
before(async () => {
  s = await startServerProcess();
  ecr = new ECRClient({ endpoint: s.endpoint, region: s.region, credentials: s.credentials, maxAttempts: 1 });
  work = mkdtempSync(join(tmpdir(), 'wharf-ecr-'));
  image = await buildBusyboxImage(join(work, 'bb'));
  host = `127.0.0.1:${s.port}`;
});
after(async () => { ecr.destroy(); await s.stop(); s.cleanup(); rmSync(work, { recursive: true, force: true }); });

const run = (cmd: string, args: string[], input?: string) => {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', env: testEnv(s.credentials), timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

test('aws ecr get-login-password | podman login, then skopeo push and pull (oci:, docker-archive:) and podman pull', async () => {
  assert.equal(s.aws(['ecr', 'create-repository', '--repository-name', 'demo/busybox']).status, 0);
  const authfile = join(work, 'auth.json');
  const password = s.aws(['ecr', 'get-login-password']).stdout.trim();
  run('podman', ['login', '--authfile', authfile, '--tls-verify=false', '--username', 'AWS', '--password-stdin', host], password);
  run('skopeo', ['copy', '-q', '--authfile', authfile, '--dest-tls-verify=false', image.ociRef, `docker://${host}/demo/busybox:v1`]);
  const desc = s.aws(['ecr', 'describe-images', '--repository-name', 'demo/busybox']).json;
  assert.equal(desc.imageDetails[0].imageDigest, image.manifestDigest, 'skopeo kept the digest');
  assert.deepEqual(desc.imageDetails[0].imageTags, ['v1']);

  run('skopeo', ['copy', '-q', '--src-creds', `AWS:${password}`, '--src-tls-verify=false', `docker://${host}/demo/busybox:v1`, `oci:${join(work, 'out')}:x`]);
  assert.ok(existsSync(join(work, 'out', 'blobs', 'sha256', image.layerDigest.slice(7))));
  const archive = join(work, 'bb.tar');
  run('skopeo', ['copy', '-q', '--src-creds', `AWS:${password}`, '--src-tls-verify=false', `docker://${host}/demo/busybox:v1`, `docker-archive:${archive}:demo/busybox:v1`]);
  // And back in from the archive, under another tag (Docker schema 2 this time).
  run('skopeo', ['copy', '-q', '--dest-creds', `AWS:${password}`, '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${host}/demo/busybox:from-archive`]);
  const got = await ecr.send(new BatchGetImageCommand({ repositoryName: 'demo/busybox', imageIds: [{ imageTag: 'from-archive' }] }));
  assert.equal(got.images?.[0].imageManifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json');

  // podman pull through the runtime the agent uses (containers-storage), then remove it again.
  const ref = `${host}/demo/busybox:v1`;
  run('podman', ['pull', '-q', '--authfile', authfile, '--tls-verify=false', ref]);
  const out = run('podman', ['run', '--rm', ref, 'echo', 'hello-from-wharf']);
  assert.match(out, /hello-from-wharf/);
  spawnSync('podman', ['rmi', '-f', ref]);
});

test('@aws-sdk/client-ecr: token, PutImage, DescribeImages, BatchDeleteImage, DeleteRepository force', async () => {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk/app', tags: [{ Key: 'env', Value: 'test' }] }));
  const tok = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = tok.authorizationData![0];
  assert.equal(data.proxyEndpoint, s.endpoint);
  const hours = (data.expiresAt!.getTime() - Date.now()) / 3_600_000;
  assert.ok(hours > 11.9 && hours <= 12, `valid 12 h, got ${hours}`);
  const [user, pass] = Buffer.from(data.authorizationToken!, 'base64').toString().split(':');
  assert.equal(user, 'AWS');
  const auth = 'Basic ' + Buffer.from(`AWS:${pass}`).toString('base64');
  const img = await pushImage(s, auth, 'sdk/app', 'v1');
  const put = await ecr.send(new PutImageCommand({ repositoryName: 'sdk/app', imageTag: 'v2', imageManifest: img.manifest }));
  assert.equal(put.image?.imageId?.imageDigest, img.digest);
  await assert.rejects(ecr.send(new PutImageCommand({ repositoryName: 'sdk/app', imageTag: 'v2', imageManifest: img.manifest })), { name: 'ImageAlreadyExistsException' });
  await assert.rejects(ecr.send(new PutImageCommand({ repositoryName: 'sdk/app', imageTag: 'v3', imageManifest: img.manifest.replace(img.layerDigest, 'sha256:' + 'a'.repeat(64)) })), { name: 'LayersNotFoundException' });
  const d = await ecr.send(new DescribeImagesCommand({ repositoryName: 'sdk/app' }));
  assert.deepEqual(d.imageDetails?.[0].imageTags, ['v1', 'v2']);
  assert.ok(d.imageDetails?.[0].imagePushedAt instanceof Date);
  const del = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'sdk/app', imageIds: [{ imageTag: 'v1' }, { imageTag: 'nope' }] }));
  assert.equal(del.imageIds?.length, 1);
  assert.equal(del.failures?.[0].failureCode, 'ImageNotFound');
  assert.equal((await ecr.send(new ListImagesCommand({ repositoryName: 'sdk/app' }))).imageIds?.length, 1);
  await assert.rejects(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'sdk/app' })), { name: 'RepositoryNotEmptyException' });
  await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'sdk/app', force: true }));
  assert.equal((await http(s, 'GET', '/v2/sdk/app/tags/list', { auth })).json.errors[0].code, 'NAME_UNKNOWN');
});

test('aws CLI: policies, tags, lifecycle preview and expiry', async () => {
  const auth = adminAuth(s);
  assert.equal(s.aws(['ecr', 'create-repository', '--repository-name', 'life/app']).status, 0);
  for (const t of ['a', 'b', 'c', 'd']) { await pushImage(s, auth, 'life/app', t); await new Promise((r) => setTimeout(r, 5)); }
  const untagged = await pushImage(s, auth, 'life/app', 'tmp');
  await http(s, 'DELETE', '/v2/life/app/manifests/tmp', { auth });
  const policy = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }] });
  await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'life/app', lifecyclePolicyText: policy }));
  const prev = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'life/app' }));
  assert.equal(prev.status, 'COMPLETE');
  assert.deepEqual(prev.previewResults?.map((r) => r.imageTags?.[0]).sort(), ['a', 'b']);
  assert.equal((await ecr.send(new ListImagesCommand({ repositoryName: 'life/app' }))).imageIds?.length, 4, 'a preview deletes nothing');
  void untagged;

  assert.equal(s.aws(['ecr', 'put-lifecycle-policy', '--repository-name', 'life/app', '--lifecycle-policy-text', policy]).status, 0);
  assert.equal(s.aws(['ecr', 'get-lifecycle-policy', '--repository-name', 'life/app']).json.lifecyclePolicyText, policy);
  const deadline = Date.now() + 10_000;
  let tags: string[] = [];
  while (Date.now() < deadline) {
    tags = (s.aws(['ecr', 'list-images', '--repository-name', 'life/app']).json.imageIds as { imageTag?: string }[]).map((i) => i.imageTag ?? '').sort();
    if (tags.length === 2) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(tags, ['c', 'd'], 'the two newest survive');

  const rp = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage'] }] });
  assert.equal(s.aws(['ecr', 'set-repository-policy', '--repository-name', 'life/app', '--policy-text', rp]).status, 0);
  assert.equal(s.aws(['ecr', 'get-repository-policy', '--repository-name', 'life/app']).json.policyText, rp);
  assert.equal(s.aws(['ecr', 'delete-repository-policy', '--repository-name', 'life/app']).status, 0);
  assert.match(s.aws(['ecr', 'get-repository-policy', '--repository-name', 'life/app']).stderr, /RepositoryPolicyNotFoundException/);
  const arn = s.aws(['ecr', 'describe-repositories', '--repository-names', 'life/app']).json.repositories[0].repositoryArn;
  assert.equal(s.aws(['ecr', 'tag-resource', '--resource-arn', arn, '--tags', 'Key=a,Value=1', 'Key=b,Value=2']).status, 0);
  assert.equal(s.aws(['ecr', 'untag-resource', '--resource-arn', arn, '--tag-keys', 'a']).status, 0);
  assert.deepEqual(s.aws(['ecr', 'list-tags-for-resource', '--resource-arn', arn]).json.tags, [{ Key: 'b', Value: '2' }]);
  assert.match(s.aws(['ecr', 'describe-repositories', '--repository-names', 'nope']).stderr, /RepositoryNotFoundException/);
  void execFileSync;
});

test('IAM decides docker pushes and pulls: a read-only user pulls and cannot push; a user without ECR permissions cannot pull', async () => {
  const cfg = { endpoint: s.endpoint, region: s.region, credentials: s.credentials, maxAttempts: 1 };
  const iam = new IAMClient(cfg);
  const keyOf = async (user: string, policyArn?: string) => {
    await iam.send(new CreateUserCommand({ UserName: user }));
    if (policyArn) await iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: policyArn }));
    // Everyone may get a token (ECR's own rule: GetAuthorizationToken is not per repository).
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'token', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }] }) }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    const asUser = new ECRClient({ ...cfg, credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } });
    const token = (await asUser.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
    return Buffer.from(token, 'base64').toString('utf8').slice('AWS:'.length);
  };
  assert.equal(s.aws(['ecr', 'create-repository', '--repository-name', 'iam/busybox']).status, 0);
  run('skopeo', ['copy', '-q', '--dest-creds', `${s.credentials.accessKeyId}:${s.credentials.secretAccessKey}`, '--dest-tls-verify=false', image.ociRef, `docker://${host}/iam/busybox:v1`]);
  const acct = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['iam/busybox'] }))).repositories![0].registryId;
  const repoArn = `arn:aws:ecr:${s.region}:${acct}:repository/iam/busybox`;
  const skopeo = (args: string[]) => spawnSync('skopeo', args, { encoding: 'utf8', env: testEnv(s.credentials), timeout: 120_000 });

  const reader = await keyOf('ecr-reader', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly');
  const pulled = skopeo(['copy', '-q', '--src-creds', `AWS:${reader}`, '--src-tls-verify=false', `docker://${host}/iam/busybox:v1`, `oci:${join(work, 'reader-out')}:x`]);
  assert.equal(pulled.status, 0, pulled.stderr);
  const pushed = skopeo(['copy', '-q', '--dest-creds', `AWS:${reader}`, '--dest-tls-verify=false', image.ociRef, `docker://${host}/iam/busybox:reader`]);
  assert.notEqual(pushed.status, 0, 'a read-only user cannot push');
  // The layers are in the repository already (BatchCheckLayerAvailability, allowed), so the push fails at the manifest.
  assert.ok(pushed.stderr.includes(`denied: User: arn:aws:iam::${acct}:user/ecr-reader is not authorized to perform: ecr:PutImage on resource: ${repoArn} because no identity-based policy allows the ecr:PutImage action`), pushed.stderr);
  assert.deepEqual((await ecr.send(new DescribeImagesCommand({ repositoryName: 'iam/busybox' }))).imageDetails!.map((d) => d.imageTags), [['v1']], 'nothing was pushed');

  const nobody = await keyOf('ecr-nobody');
  const denied = await fetch(`http://${host}/v2/iam/busybox/manifests/v1`, { headers: { Authorization: `Basic ${Buffer.from(`AWS:${nobody}`).toString('base64')}`, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(denied.status, 403);
  const body = (await denied.json()) as { errors: { code: string; message: string }[] };
  assert.equal(body.errors[0].code, 'DENIED');
  assert.equal(body.errors[0].message, `User: arn:aws:iam::${acct}:user/ecr-nobody is not authorized to perform: ecr:BatchGetImage on resource: ${repoArn} because no identity-based policy allows the ecr:BatchGetImage action`);
});
