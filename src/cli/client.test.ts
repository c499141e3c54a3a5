import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyQuery, explainError, parseIni, resolveConnection } from './client.js';

describe('cli conventions', () => {
  it('reads ~/.aws/config and ~/.aws/credentials profiles like the AWS CLI; flags beat the environment', () => {
    const home = mkdtempSync(join(tmpdir(), 'wharf-cli-home-'));
    try {
      writeFileSync(join(home, 'creds'), '[default]\naws_access_key_id = D\naws_secret_access_key = DS\n[dev]\naws_access_key_id=K\naws_secret_access_key=S\n');
      writeFileSync(join(home, 'config'), '[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-north-1\nendpoint_url = http://10.0.0.1:7755\n');
      const env = { HOME: home, AWS_SHARED_CREDENTIALS_FILE: join(home, 'creds'), AWS_CONFIG_FILE: join(home, 'config'), WHARF_DATA_DIR: join(home, 'none') };
      assert.deepEqual(resolveConnection({ profile: 'dev' }, env), { endpoint: 'http://10.0.0.1:7755', region: 'eu-north-1', accessKeyId: 'K', secretAccessKey: 'S' });
      assert.deepEqual(resolveConnection({}, { ...env, AWS_PROFILE: 'dev', AWS_ACCESS_KEY_ID: 'E', AWS_SECRET_ACCESS_KEY: 'ES' }).accessKeyId, 'E', 'env keys beat AWS_PROFILE');
      assert.deepEqual(resolveConnection({ profile: 'dev' }, { ...env, AWS_ACCESS_KEY_ID: 'E', AWS_SECRET_ACCESS_KEY: 'ES' }).accessKeyId, 'K', '--profile beats env keys');
      const d = resolveConnection({ region: 'ap-south-1', endpointUrl: 'http://x:1' }, env);
      assert.deepEqual([d.accessKeyId, d.region, d.endpoint], ['D', 'ap-south-1', 'http://x:1']);
      assert.throws(() => resolveConnection({ profile: 'nope' }, env), (e: Error & { exitCode: number }) => e.exitCode === 253);
    } finally { rmSync(home, { recursive: true, force: true }); }
    assert.deepEqual(parseIni('; c\n[profile a]\nX = 1\n', true), { a: { x: '1' } });
  });

  it('--query is JMESPath over the json document (dates as ISO strings)', () => {
    assert.deepEqual(applyQuery({ s: [{ n: 'a', t: new Date(0) }, { n: 'b' }] }, 's[].n'), ['a', 'b']);
    assert.equal(applyQuery({ t: new Date(0) }, 't'), '1970-01-01T00:00:00.000Z');
    assert.throws(() => applyQuery({}, 's[?'), (e: Error & { exitCode: number }) => e.exitCode === 252);
  });

  it('errors: unreachable 255 with what to do; AWS errors 254 with a hint', () => {
    const conn = explainError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    assert.equal(conn.exitCode, 255);
    assert.match(conn.message, /cannot reach Wharf .*\n\s+→ start it/);
    const aws = explainError(Object.assign(new Error('The request signature we calculated does not match'), { name: 'InvalidSignatureException', $metadata: {} }));
    assert.equal(aws.exitCode, 254);
    assert.match(aws.message, /^InvalidSignatureException: .*\n\s+→ the secret key does not match/);
  });
});
