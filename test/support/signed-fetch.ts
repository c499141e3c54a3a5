/** Raw signed HTTP requests (for testing what SDKs never send: bad bodies, odd headers, tampering). */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../src/protocol/sha256-checksum.js';
import type { Credentials } from './server.js';

export interface RawCall {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  service?: string;
  region?: string;
  date?: Date;
  /** Skip signing entirely. */
  unsigned?: boolean;
  /** Change the request after signing. */
  tamper?: (req: { headers: Record<string, string>; body: string | Buffer }) => void;
}

export interface RawReply { status: number; headers: Headers; text: string; json: any }

export async function signedFetch(endpoint: string, creds: Credentials, call: RawCall): Promise<RawReply> {
  const url = new URL(call.path ?? '/', endpoint);
  const body = call.body ?? '';
  let headers: Record<string, string> = { host: url.host, ...call.headers };
  if (!call.unsigned) {
    const signer = new SignatureV4({ credentials: creds, region: call.region ?? 'us-east-1', service: call.service ?? 'ecs', sha256: Sha256 });
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => { query[k] = v; });
    const signed = await signer.sign({ method: call.method ?? 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers, body }, { signingDate: call.date ?? new Date() });
    headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)]));
  }
  const req = { headers, body };
  call.tamper?.(req);
  delete req.headers.host;
  const res = await fetch(url, { method: call.method ?? 'POST', headers: req.headers, body: (call.method ?? 'POST') === 'GET' ? undefined : req.body });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

export const ecsTarget = (op: string) => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerServiceV20141113.${op}` });
