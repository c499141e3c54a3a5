/**
 * How `wharf` commands reach the server, and the conventions every client command shares.
 *
 * Connection, read like the AWS CLI reads it (first match wins, per setting):
 *   endpoint     --endpoint-url → WHARF_ENDPOINT → AWS_ENDPOINT_URL_ECS / AWS_ENDPOINT_URL → the profile's
 *                `endpoint_url` → the local server's data directory (`endpoint` file) → http://127.0.0.1:7755
 *   credentials  --profile's keys (~/.aws/credentials, then ~/.aws/config) → AWS_ACCESS_KEY_ID/…SECRET… →
 *                AWS_PROFILE's keys → the `default` profile → the local server's admin key
 *   region       --region → AWS_REGION / AWS_DEFAULT_REGION → the profile's `region` → the local server's
 * So on the machine that runs `wharf server`, commands work with no setup at all, and a machine set up
 * for the AWS CLI works the same way.
 *
 * Output: `--output table|json|yaml` and `--query EXPR` (JMESPath, applied to the same document the json
 * output prints, as the AWS CLI does). Errors: one or two lines, the second saying what to do next, and
 * exit codes that follow the AWS CLI v2's (docs: "Return codes"): 0 ok, 252 the command line or an input
 * file is invalid, 253 configuration/credentials missing, 254 the server refused or the operation failed,
 * 255 anything else (the server cannot be reached), 130 interrupted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { search } from '@jmespath-community/jmespath';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { xdg, DEFAULT_PORT } from '../server/config.js';
import { credentialsFile, type CliCredentials } from '../server/server.js';

export const EXIT = { ok: 0, usage: 252, config: 253, failed: 254, other: 255, interrupted: 130 } as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failed) {
    super(message);
  }
}

export type OutputFormat = 'table' | 'json' | 'yaml';

export interface GlobalOptions {
  endpointUrl?: string;
  output?: OutputFormat;
  query?: string;
  region?: string;
  profile?: string;
  dataDir?: string;
  debug?: boolean;
}

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('--endpoint-url <url>', 'Wharf endpoint (default: env WHARF_ENDPOINT, the profile\'s endpoint_url, else the local server)')
    .option('--region <region>', 'region (default: env AWS_REGION, the profile\'s region, else the server\'s)')
    .option('--profile <name>', 'a profile from ~/.aws/credentials and ~/.aws/config (default: env AWS_PROFILE)')
    .option('--data-dir <dir>', 'local server data directory to find the endpoint and admin key in')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .option('--query <jmespath>', 'JMESPath expression applied to the json output (as the AWS CLI\'s --query)')
    .option('--debug', 'print stack traces of errors');
}

type Ini = Record<string, Record<string, string>>;

/** The AWS CLI's INI dialect: `[name]` sections (`[profile name]` in the config file), `key = value`. */
export function parseIni(text: string, configFile: boolean): Ini {
  const out: Ini = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+|\s+$/g, '');
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (head) {
      let name = head[1];
      if (configFile && name.startsWith('profile ')) name = name.slice('profile '.length).trim();
      section = out[name] ??= {};
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && section) section[kv[1].toLowerCase()] = kv[2];
  }
  return out;
}

function readIni(file: string, configFile: boolean): Ini {
  try { return existsSync(file) ? parseIni(readFileSync(file, 'utf8'), configFile) : {}; } catch { return {}; }
}

export interface ProfileSettings { accessKeyId?: string; secretAccessKey?: string; region?: string; endpointUrl?: string }

/** One profile's settings from the shared credentials and config files (credentials file wins for keys). */
export function readProfile(name: string, env = process.env): ProfileSettings & { found: boolean } {
  const home = env.HOME ?? homedir();
  const creds = readIni(env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'), false)[name] ?? {};
  const conf = readIni(env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'), true)[name] ?? {};
  const pick = (k: string) => creds[k] || conf[k] || undefined;
  return {
    found: Object.keys(creds).length > 0 || Object.keys(conf).length > 0,
    accessKeyId: pick('aws_access_key_id'), secretAccessKey: pick('aws_secret_access_key'),
    region: conf.region || creds.region || undefined, endpointUrl: conf.endpoint_url || creds.endpoint_url || undefined,
  };
}

/** The endpoint the last resolved connection uses, for error messages that are raised far from it. */
let lastEndpoint: string | undefined;

export function resolveConnection(opts: GlobalOptions, env = process.env): CliCredentials {
  const dataDir = opts.dataDir ?? env.WHARF_DATA_DIR ?? join(xdg('data', env), 'wharf');
  let saved: Partial<CliCredentials> = {};
  try {
    if (existsSync(credentialsFile(dataDir))) saved = JSON.parse(readFileSync(credentialsFile(dataDir), 'utf8')) as CliCredentials;
  } catch { /* unreadable: as if absent */ }
  const endpointFile = join(dataDir, 'endpoint');
  const savedEndpoint = existsSync(endpointFile) ? readFileSync(endpointFile, 'utf8').trim() : undefined;

  const profileName = opts.profile ?? env.AWS_PROFILE;
  const profile = profileName ? readProfile(profileName, env) : readProfile('default', env);
  if (opts.profile && !profile.found) {
    throw new CliError(`the profile "${opts.profile}" is not in ~/.aws/credentials or ~/.aws/config\n  → add it with \`aws configure --profile ${opts.profile}\`, or leave out --profile`, EXIT.config);
  }
  // An explicit --profile beats keys in the environment, as in the AWS CLI.
  const fromEnv = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } : undefined;
  const fromProfile = profile.accessKeyId && profile.secretAccessKey ? { accessKeyId: profile.accessKeyId, secretAccessKey: profile.secretAccessKey } : undefined;
  const keys = (opts.profile ? fromProfile : fromEnv ?? fromProfile)
    ?? (saved.accessKeyId && saved.secretAccessKey ? { accessKeyId: saved.accessKeyId, secretAccessKey: saved.secretAccessKey } : undefined);
  const endpoint = opts.endpointUrl ?? env.WHARF_ENDPOINT ?? env.AWS_ENDPOINT_URL_ECS ?? env.AWS_ENDPOINT_URL ?? profile.endpointUrl
    ?? savedEndpoint ?? saved.endpoint ?? `http://127.0.0.1:${DEFAULT_PORT}`;
  lastEndpoint = endpoint;
  if (!keys) {
    throw new CliError(`no credentials found\n  → set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, use --profile, or run this on the machine where \`wharf server\` wrote ${credentialsFile(dataDir)}`, EXIT.config);
  }
  const region = opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? profile.region ?? saved.region ?? 'us-east-1';
  return { endpoint, region, ...keys };
}

/** SDK client settings for any service: `new XClient(clientConfig(opts))`. */
export function clientConfig(opts: GlobalOptions, maxAttempts = 2) {
  const c = resolveConnection(opts);
  return { endpoint: c.endpoint, region: c.region, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }, maxAttempts };
}

export function ecsClient(opts: GlobalOptions): ECSClient {
  return new ECSClient(clientConfig(opts));
}

const HINTS: Record<string, string> = {
  ClusterNotFoundException: 'list clusters with `wharf clusters list`, or create it with `wharf clusters create NAME`',
  ServiceNotFoundException: 'list services with `wharf services list`',
  ServiceNotActiveException: 'the service is being deleted or was deleted: list services with `wharf services list`',
  UnrecognizedClientException: 'the access key is unknown to this server: check AWS_ACCESS_KEY_ID, --profile, or the data directory',
  InvalidSignatureException: 'the secret key does not match the access key: check AWS_SECRET_ACCESS_KEY or --profile',
  InvalidClientTokenId: 'the access key is unknown to this server: check AWS_ACCESS_KEY_ID, --profile, or the data directory',
  SignatureDoesNotMatch: 'the secret key does not match the access key: check AWS_SECRET_ACCESS_KEY or --profile',
  AccessDeniedException: 'the key is not allowed to do this: ask for a policy that allows it',
};

/**
 * Any error → a CliError with one or two lines and an exit code. The server could not be reached → 255
 * with how to start it; the server answered with an AWS error → 254 with its name and a hint.
 */
export function explainError(e: unknown, what?: string): CliError {
  if (e instanceof CliError) return e;
  const err = e as Error & { name: string; code?: string; cause?: { code?: string }; $metadata?: { httpStatusCode?: number } };
  const prefix = what ? `${what}: ` : '';
  const code = err?.code ?? err?.cause?.code ?? '';
  const text = String(err?.message ?? e);
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT/.test(code + ' ' + text) || err?.name === 'TimeoutError' || (err?.name === 'TypeError' && text === 'fetch failed')) {
    return new CliError(`${prefix}cannot reach Wharf at ${lastEndpoint ?? 'the local endpoint'} (${code || err.name})\n  → start it with \`wharf up\` (or \`wharf server\`), or pass --endpoint-url`, EXIT.other);
  }
  if (err?.$metadata) {
    const hint = HINTS[err.name];
    return new CliError(`${prefix}${err.name}: ${text.split('\n')[0]}${hint ? `\n  → ${hint}` : ''}`, EXIT.failed);
  }
  return new CliError(`${prefix}${text.split('\n')[0]}`, EXIT.other);
}

/** Runs an SDK call and turns its failures into errors that say what to do next. */
export async function call<T>(what: string, _endpoint: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw explainError(e, what);
  }
}

/** A value as the json output prints it: Dates become ISO strings, undefined members disappear. */
export function plain(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value)) as unknown;
}

export function applyQuery(value: unknown, query: string | undefined): unknown {
  const doc = plain(value);
  if (!query) return doc;
  try {
    return search(doc as never, query);
  } catch (e) {
    throw new CliError(`--query: ${(e as Error).message.split('\n')[0]}\n  → it is a JMESPath expression, e.g. --query 'services[].serviceName'`, EXIT.usage);
  }
}

export function printTable(head: string[], rows: (string | number | boolean | undefined | null)[][]): void {
  const t = new Table({ head, style: { head: process.env.NO_COLOR || !process.stdout.isTTY ? [] : ['cyan'], border: [] } });
  for (const r of rows) t.push(r.map((c) => (c === undefined || c === null ? '' : String(c))));
  process.stdout.write(t.toString() + '\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(plain(value), null, 2) + '\n');
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** A table for whatever a --query returned: rows of objects, a list of scalars, one object, or one value. */
function printAnyTable(v: unknown): void {
  if (Array.isArray(v)) {
    if (v.length && v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
      const cols = [...new Set(v.flatMap((x) => Object.keys(x as object)))];
      return printTable(cols, v.map((x) => cols.map((c) => cell((x as Record<string, unknown>)[c]))));
    }
    if (v.every((x) => Array.isArray(x))) return printTable([], v.map((row) => (row as unknown[]).map(cell)));
    for (const x of v) process.stdout.write(cell(x) + '\n');
    return;
  }
  if (v && typeof v === 'object') return printTable(['FIELD', 'VALUE'], Object.entries(v).map(([k, x]) => [k, cell(x)]));
  process.stdout.write(cell(v) + '\n');
}

/**
 * Prints a command's result in the chosen format. `table` is the command's own human view; with --query
 * the query's result is printed instead (as a table, a list or a value).
 */
export function emit(opts: GlobalOptions, value: unknown, table: () => void): void {
  const out = applyQuery(value, opts.query);
  if (opts.output === 'json') return printJson(out);
  if (opts.output === 'yaml') { process.stdout.write(toYaml(out ?? null)); return; }
  if (opts.query) return printAnyTable(out);
  table();
}
