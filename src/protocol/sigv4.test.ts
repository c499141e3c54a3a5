import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './sha256-checksum.js';
import { ApiError } from '../model/errors.js';
import { parseSignature, verifySignature, canonicalUri, canonicalQuery, type SignedRequest } from './sigv4.js';

const creds = { accessKeyId: 'AKIAEXAMPLEEXAMPLE01', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const now = new Date('2026-11-28T12:00:00Z');

/** Signs with the AWS SDK's own signer — an independent implementation we verify against. */
async function signed(over: Partial<{ method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: string; date: Date; region: string; service: string }> = {}): Promise<SignedRequest> {
  const signer = new SignatureV4({ credentials: creds, region: over.region ?? 'us-east-1', service: over.service ?? 'ecs', sha256: Sha256 });
  const body = over.body ?? '{"clusterName":"demo"}';
  const req = await signer.sign({
    method: over.method ?? 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 7755, path: over.path ?? '/',
    query: over.query ?? {},
    headers: { host: '127.0.0.1:7755', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster', ...over.headers },
    body,
  }, { signingDate: over.date ?? now });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = String(v);
  const query = Object.entries(req.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
  return { method: req.method, path: req.path, query, headers, body: Buffer.from(body) };
}

function verify(req: SignedRequest, secret = creds.secretAccessKey, at = now): void {
  const sig = parseSignature(req);
  verifySignature(req, sig, secret, { now: at });
}

function rejects(req: SignedRequest, code: string, at = now): void {
  assert.throws(() => verify(req, creds.secretAccessKey, at), (e: unknown) => e instanceof ApiError && e.code === code, `expected ${code}`);
}

describe('SigV4 verification', () => {
  it('accepts a request signed by the AWS SDK signer', async () => {
    verify(await signed());
    verify(await signed({ path: '/service/GraniteServiceVersion20100801/operation/GetMetricData', service: 'monitoring' }));
    verify(await signed({ query: { Action: 'DescribeLoadBalancers', Version: '2015-12-01', 'a b': 'c/d' }, service: 'elasticloadbalancing', method: 'GET', body: '' }));
  });

  it('rejects a changed method, path or query', async () => {
    const base = await signed({ query: { x: '1' } });
    rejects({ ...base, method: 'PUT' }, 'InvalidSignatureException');
    rejects({ ...base, path: '/other' }, 'InvalidSignatureException');
    rejects({ ...base, query: 'x=2' }, 'InvalidSignatureException');
    rejects({ ...base, query: 'x=1&y=2' }, 'InvalidSignatureException');
  });

  it('rejects any change to a signed header', async () => {
    const base = await signed();
    const sig = parseSignature(base);
    assert.ok(sig.signedHeaders.includes('x-amz-target') && sig.signedHeaders.includes('host') && sig.signedHeaders.includes('x-amz-date'));
    for (const h of sig.signedHeaders) {
      if (h === 'x-amz-date') continue; // checked below: changing it also breaks the scope date check
      rejects({ ...base, headers: { ...base.headers, [h]: String(base.headers[h]) + 'x' } }, 'InvalidSignatureException');
    }
  });

  it('rejects any single changed body byte', async () => {
    const base = await signed();
    const body = Buffer.from(base.body);
    for (let i = 0; i < body.length; i++) {
      const b = Buffer.from(body);
      b[i] = b[i] ^ 0x01;
      rejects({ ...base, body: b }, 'InvalidSignatureException');
    }
  });

  it('rejects a changed scope: region, service, date, key', async () => {
    const base = await signed();
    const auth = String(base.headers.authorization);
    rejects({ ...base, headers: { ...base.headers, authorization: auth.replace('/us-east-1/', '/us-west-2/') } }, 'InvalidSignatureException');
    rejects({ ...base, headers: { ...base.headers, authorization: auth.replace('/ecs/', '/ecr/') } }, 'InvalidSignatureException');
    rejects({ ...base, headers: { ...base.headers, authorization: auth.replace('/20261128/', '/20261127/') } }, 'InvalidSignatureException');
    rejects({ ...base, headers: { ...base.headers, 'x-amz-date': '20261128T120001Z' } }, 'InvalidSignatureException');
    assert.throws(() => verifySignature(base, parseSignature(base), creds.secretAccessKey + 'x', { now }), /does not match/);
  });

  it('verifies a request signed for any region (every region is served; the region is in the signing key)', async () => {
    for (const region of ['eu-west-1', 'ap-southeast-2', 'us-gov-west-1']) {
      const req = await signed({ region });
      verifySignature(req, parseSignature(req), creds.secretAccessKey, { now });
      assert.equal(parseSignature(req).credential.region, region);
    }
  });

  it('enforces a 5-minute clock skew both ways', async () => {
    const req = await signed();
    verify(req, creds.secretAccessKey, new Date(now.getTime() + 4 * 60_000));
    verify(req, creds.secretAccessKey, new Date(now.getTime() - 4 * 60_000));
    assert.throws(() => verify(req, creds.secretAccessKey, new Date(now.getTime() + 6 * 60_000)), /Signature expired/);
    assert.throws(() => verify(req, creds.secretAccessKey, new Date(now.getTime() - 6 * 60_000)), /Signature not yet current/);
  });

  it('requires host, x-amz-date and x-amz-target to be signed', async () => {
    const base = await signed();
    const auth = String(base.headers.authorization);
    const signedList = /SignedHeaders=([^,]+)/.exec(auth)![1];
    for (const h of ['host', 'x-amz-date', 'x-amz-target']) {
      const without = signedList.split(';').filter((x) => x !== h).join(';');
      rejects({ ...base, headers: { ...base.headers, authorization: auth.replace(signedList, without) } }, 'InvalidSignatureException');
    }
  });

  it('names AWS errors for missing and malformed authentication', async () => {
    const base = await signed();
    const { authorization, ...noAuth } = base.headers;
    void authorization;
    assert.throws(() => parseSignature({ ...base, headers: noAuth }), (e: unknown) => e instanceof ApiError && e.code === 'MissingAuthenticationTokenException');
    assert.throws(() => parseSignature({ ...base, headers: { ...base.headers, authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/20261128/us-east-1/ecs/aws4_request' } }),
      (e: unknown) => e instanceof ApiError && e.code === 'IncompleteSignatureException' && /SignedHeaders/.test(e.message));
    assert.throws(() => parseSignature({ ...base, headers: { ...base.headers, authorization: 'Basic dXNlcjpwYXNz' } }), (e: unknown) => e instanceof ApiError && e.code === 'IncompleteSignatureException');
    assert.throws(() => parseSignature({ ...base, headers: { ...base.headers, authorization: String(base.headers.authorization).replace('aws4_request', 'aws5_request') } }),
      (e: unknown) => e instanceof ApiError && e.code === 'IncompleteSignatureException');
    const { 'x-amz-date': _d, ...noDate } = base.headers;
    void _d;
    assert.throws(() => parseSignature({ ...base, headers: noDate }), (e: unknown) => e instanceof ApiError && e.code === 'IncompleteSignatureException');
  });

  it('uses query-protocol error names in the query dialect', async () => {
    const req = await signed({ service: 'elasticloadbalancing' });
    const sig = parseSignature(req, 'query');
    assert.throws(() => verifySignature({ ...req, body: Buffer.from('tampered') }, sig, creds.secretAccessKey, { now, dialect: 'query' }),
      (e: unknown) => e instanceof ApiError && e.code === 'SignatureDoesNotMatch');
  });

  it('accepts presigned (query-string) requests until they expire', async () => {
    const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'ecr', sha256: Sha256 });
    const p = await signer.presign({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: 7755, path: '/v2/', query: {}, headers: { host: '127.0.0.1:7755' } }, { signingDate: now, expiresIn: 60 });
    const query = Object.entries(p.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
    const req: SignedRequest = { method: 'GET', path: '/v2/', query, headers: { host: '127.0.0.1:7755' }, body: Buffer.alloc(0) };
    const sig = parseSignature(req);
    assert.equal(sig.presigned, true);
    verifySignature(req, sig, creds.secretAccessKey, { now });
    assert.throws(() => verifySignature(req, sig, creds.secretAccessKey, { now: new Date(now.getTime() + 61_000) }), /expired/);
  });

  it('canonicalises paths and queries as AWS does', () => {
    assert.equal(canonicalUri('/'), '/');
    assert.equal(canonicalUri(''), '/');
    assert.equal(canonicalUri('/a/./b/../c'), '/a/c');
    assert.equal(canonicalUri('/a%20b'), '/a%2520b');
    assert.equal(canonicalQuery('b=2&a=1&a=0'), 'a=0&a=1&b=2');
    assert.equal(canonicalQuery('x=a+b&y=%2F'), 'x=a%20b&y=%2F');
  });
});
