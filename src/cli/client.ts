/**
 * How `wharf` commands reach the server: the endpoint and credentials come from flags, then the
 * environment (WHARF_ENDPOINT, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_REGION), then the files the
 * local server wrote in its data directory — so on the machine that runs `wharf server`, commands work
 * with no setup at all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { xdg, DEFAULT_PORT } from '../server/config.js';
import { credentialsFile, type CliCredentials } from '../server/server.js';

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export interface GlobalOptions {
  endpointUrl?: string;
  output?: 'table' | 'json';
  dataDir?: string;
}

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('--endpoint-url <url>', 'Wharf endpoint (default: the local server, env WHARF_ENDPOINT)')
    .option('--data-dir <dir>', 'local server data directory to find the endpoint and admin key in')
    .option('-o, --output <format>', 'table or json', 'table');
}

export function resolveConnection(opts: GlobalOptions, env = process.env): CliCredentials {
  const dataDir = opts.dataDir ?? env.WHARF_DATA_DIR ?? join(xdg('data', env), 'wharf');
  let saved: Partial<CliCredentials> = {};
  if (existsSync(credentialsFile(dataDir))) saved = JSON.parse(readFileSync(credentialsFile(dataDir), 'utf8')) as CliCredentials;
  const endpointFile = join(dataDir, 'endpoint');
  const savedEndpoint = existsSync(endpointFile) ? readFileSync(endpointFile, 'utf8').trim() : undefined;
  const endpoint = opts.endpointUrl ?? env.WHARF_ENDPOINT ?? savedEndpoint ?? saved.endpoint ?? `http://127.0.0.1:${DEFAULT_PORT}`;
  const accessKeyId = env.AWS_ACCESS_KEY_ID ?? saved.accessKeyId;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY ?? saved.secretAccessKey;
  if (!accessKeyId || !secretAccessKey) {
    throw new CliError(`no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run this on the machine where \`wharf server\` created ${credentialsFile(dataDir)}`);
  }
  return { endpoint, region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? saved.region ?? 'us-east-1', accessKeyId, secretAccessKey };
}

export function ecsClient(opts: GlobalOptions): ECSClient {
  const c = resolveConnection(opts);
  return new ECSClient({ endpoint: c.endpoint, region: c.region, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }, maxAttempts: 2 });
}

/** Runs an SDK call and turns its failures into errors that say what to do next. */
export async function call<T>(what: string, endpoint: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = e as Error & { name: string; code?: string; $metadata?: unknown };
    if (err.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(err.message)) || err.name === 'TimeoutError') {
      throw new CliError(`${what}: cannot reach Wharf at ${endpoint ?? 'the local endpoint'}. Start it with \`wharf server\` (or \`wharf up\`), or pass --endpoint-url.`);
    }
    const hint: Record<string, string> = {
      ClusterNotFoundException: 'list clusters with `wharf clusters list`, or create it with `wharf clusters create NAME`',
      UnrecognizedClientException: 'the access key is unknown to this server: check AWS_ACCESS_KEY_ID or the data directory',
      InvalidSignatureException: 'the secret key does not match: check AWS_SECRET_ACCESS_KEY',
    };
    throw new CliError(`${what}: ${err.name}: ${err.message}${hint[err.name] ? `\n  → ${hint[err.name]}` : ''}`);
  }
}

export function printTable(head: string[], rows: (string | number | undefined)[][]): void {
  const t = new Table({ head, style: { head: process.env.NO_COLOR ? [] : ['cyan'], border: [] } });
  for (const r of rows) t.push(r.map((c) => (c === undefined ? '' : String(c))));
  process.stdout.write(t.toString() + '\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v: unknown) => v, 2) + '\n');
}
