/** Small raw-HTTP client for /v2/ used by the registry and ECR end-to-end tests. */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { TestServer } from '../support/server.js';

export const sha256 = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

export interface Res { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; json?: any }

export function basic(user: string, pass: string): string {
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}

export function adminAuth(s: TestServer): string {
  return basic(s.credentials.accessKeyId, s.credentials.secretAccessKey);
}

export function http(s: TestServer | string, method: string, path: string, opts: { auth?: string; headers?: Record<string, string | number>; body?: Buffer | string } = {}): Promise<Res> {
  const base = typeof s === 'string' ? s : s.endpoint;
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(u, { method, headers: { ...(opts.auth ? { Authorization: opts.auth } : {}), ...(opts.body !== undefined ? { 'Content-Length': Buffer.byteLength(opts.body) } : {}), ...opts.headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
        const body = Buffer.concat(parts);
        let json: unknown;
        try { json = body.length ? JSON.parse(body.toString()) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Monolithic blob upload (POST ?digest=). */
export async function putBlob(s: TestServer, auth: string, repo: string, data: Buffer): Promise<string> {
  const d = sha256(data);
  const r = await http(s, 'POST', `/v2/${repo}/blobs/uploads/?digest=${d}`, { auth, body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  if (r.status !== 201) throw new Error(`blob upload: ${r.status} ${r.body}`);
  return d;
}

/** Pushes a one-layer OCI image; returns the manifest digest. */
export async function pushImage(s: TestServer, auth: string, repo: string, tag: string, layer: Buffer = Buffer.from('layer ' + Math.random())): Promise<{ digest: string; manifest: string; layerDigest: string }> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, n: Math.random() }));
  const cd = await putBlob(s, auth, repo, config);
  const ld = await putBlob(s, auth, repo, layer);
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cd, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: ld, size: layer.length }],
  });
  const r = await http(s, 'PUT', `/v2/${repo}/manifests/${tag}`, { auth, body: manifest, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  if (r.status !== 201) throw new Error(`manifest put: ${r.status} ${r.body}`);
  return { digest: sha256(manifest), manifest, layerDigest: ld };
}
