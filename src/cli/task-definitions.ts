/**
 * `wharf task-definitions`: register from a JSON or YAML file (what `aws ecs register-task-definition
 * --cli-input-json` accepts), list, describe and deregister. Everything goes through the public ECS API.
 */
import { readFileSync } from 'node:fs';
import {
  DeregisterTaskDefinitionCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, paginateListTaskDefinitions,
  type RegisterTaskDefinitionRequest, type TaskDefinition, type TaskDefinitionStatus,
} from '@aws-sdk/client-ecs';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import { CliError, EXIT, addGlobalOptions, call, ecsClient, printJson, printTable, resolveConnection, type GlobalOptions } from './client.js';

/** Members RegisterTaskDefinition takes; describe output has more (ARN, revision…) that we drop with a note. */
const REQUEST_MEMBERS = new Set([
  'family', 'taskRoleArn', 'executionRoleArn', 'networkMode', 'containerDefinitions', 'volumes', 'placementConstraints',
  'requiresCompatibilities', 'cpu', 'memory', 'tags', 'pidMode', 'ipcMode', 'proxyConfiguration', 'inferenceAccelerators',
  'ephemeralStorage', 'runtimePlatform', 'enableFaultInjection',
]);
/** What `describe-task-definition` adds; a file saved from it registers after these are dropped. */
const OUTPUT_ONLY = new Set([
  'taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy',
  'deregisteredAt', 'deleteRequestedAt',
]);

/** Reads a task definition file (JSON, or YAML by extension or when it is not JSON) into a request. */
/** Line and column (1-based) of a character offset. */
function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

function readFileOrExplain(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new CliError(`${file}: ${why} → pass the path of a task definition file (JSON or YAML)`, EXIT.usage);
  }
}

export function readTaskDefinitionFile(file: string, text = readFileOrExplain(file)): { request: RegisterTaskDefinitionRequest; notes: string[] } {
  let value: unknown;
  const yamlish = /\.ya?ml$/i.test(file) || !/^\s*[{[]/.test(text);
  if (yamlish) {
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length) {
      const e = doc.errors[0];
      const at = e.linePos?.[0];
      throw new CliError(`${file}${at ? `:${at.line}:${at.col}` : ''}: not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, EXIT.usage);
    }
    value = doc.toJS();
  } else {
    try { value = JSON.parse(text); } catch (e) {
      // V8 says "… in JSON at position 42 (line 3 column 5)" or just "at position 42": say it once, as line:column.
      const msg = (e as Error).message.split('\n')[0];
      const pos = /at position (\d+)/.exec(msg);
      const reason = msg.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
      throw new CliError(`${file}${pos ? `:${lineCol(text, Number(pos[1]))}` : ''}: not valid JSON: ${reason}`, EXIT.usage);
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && 'taskDefinition' in value && typeof (value as { taskDefinition: unknown }).taskDefinition === 'object') {
    value = (value as { taskDefinition: unknown }).taskDefinition; // saved `describe-task-definition` output
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new CliError(`${file}: expected an object with "family" and "containerDefinitions"`);
  const notes: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (REQUEST_MEMBERS.has(k)) out[k] = v;
    else if (OUTPUT_ONLY.has(k)) notes.push(`ignoring "${k}" (set by ECS, not part of a registration)`);
    else throw new CliError(`${file}: unknown field "${k}". RegisterTaskDefinition takes: ${[...REQUEST_MEMBERS].join(', ')}`);
  }
  if (typeof out.family !== 'string' || out.family === '') throw new CliError(`${file}: "family" is required (a name of up to 255 letters, numbers, hyphens and underscores)`);
  if (!Array.isArray(out.containerDefinitions) || out.containerDefinitions.length === 0) {
    throw new CliError(`${file}: "containerDefinitions" is required: a list of containers, each with at least "name" and "image"`);
  }
  out.containerDefinitions.forEach((c: unknown, i: number) => {
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw new CliError(`${file}: containerDefinitions[${i}] must be an object with "name" and "image"`);
  });
  // YAML lets numbers through where ECS wants strings (cpu: 256): accept them the way the console does.
  for (const k of ['cpu', 'memory'] as const) if (typeof out[k] === 'number') out[k] = String(out[k]);
  return { request: out as unknown as RegisterTaskDefinitionRequest, notes };
}

function summary(td: TaskDefinition): (string | number | undefined)[][] {
  return [
    ['arn', td.taskDefinitionArn], ['family', td.family], ['revision', td.revision], ['status', td.status],
    ['network mode', td.networkMode ?? 'bridge'], ['cpu', td.cpu], ['memory', td.memory],
    ['compatibilities', (td.compatibilities ?? []).join(', ')], ['requires', (td.requiresCompatibilities ?? []).join(', ')],
    ['task role', td.taskRoleArn], ['execution role', td.executionRoleArn],
    ['registered', td.registeredAt?.toISOString()], ['deregistered', td.deregisteredAt?.toISOString()],
  ];
}

function containerRows(td: TaskDefinition): (string | number | undefined)[][] {
  return (td.containerDefinitions ?? []).map((c) => [
    c.name, c.image, c.essential ? 'yes' : 'no', c.cpu, c.memory ?? (c.memoryReservation !== undefined ? `${c.memoryReservation} (soft)` : undefined),
    (c.portMappings ?? []).map((p) => `${p.hostPort ? p.hostPort + ':' : ''}${p.containerPort ?? p.containerPortRange}/${p.protocol}`).join(', '),
  ]);
}

const hint = 'list task definitions with `wharf task-definitions list`';

export function registerTaskDefinitionCommands(program: Command): void {
  const td = program.command('task-definitions').alias('taskdef').description('register, list, describe and deregister task definitions');

  addGlobalOptions(td.command('register').argument('<file>', 'JSON or YAML, as `aws ecs register-task-definition --cli-input-json` takes').description('register a new revision from a file'))
    .action(async (file: string, opts: GlobalOptions) => {
      const { request, notes } = readTaskDefinitionFile(file);
      for (const n of notes) process.stderr.write(`note: ${n}\n`);
      const ecs = ecsClient(opts);
      const out = await call(`registering ${file}`, resolveConnection(opts).endpoint, () => ecs.send(new RegisterTaskDefinitionCommand(request)));
      if (opts.output === 'json') return printJson(out.taskDefinition);
      process.stdout.write(`registered ${out.taskDefinition?.family}:${out.taskDefinition?.revision} (${out.taskDefinition?.taskDefinitionArn})\n`);
    });

  addGlobalOptions(td.command('list').description('list task definition revisions'))
    .option('--family-prefix <prefix>', 'only families starting with this')
    .option('--status <status>', 'ACTIVE, INACTIVE or DELETE_IN_PROGRESS', 'ACTIVE')
    .action(async (opts: GlobalOptions & { familyPrefix?: string; status: string }) => {
      const status = opts.status.toUpperCase();
      if (!['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'].includes(status)) throw new CliError(`--status must be ACTIVE, INACTIVE or DELETE_IN_PROGRESS, not ${opts.status}`);
      const ecs = ecsClient(opts);
      const arns: string[] = [];
      await call('listing task definitions', resolveConnection(opts).endpoint, async () => {
        for await (const page of paginateListTaskDefinitions({ client: ecs }, { familyPrefix: opts.familyPrefix, status: status as TaskDefinitionStatus })) {
          arns.push(...(page.taskDefinitionArns ?? []));
        }
      });
      if (opts.output === 'json') return printJson(arns);
      printTable(['FAMILY', 'REVISION', 'ARN'], arns.map((a) => {
        const fr = a.slice(a.indexOf('task-definition/') + 'task-definition/'.length);
        const i = fr.lastIndexOf(':');
        return [fr.slice(0, i), fr.slice(i + 1), a];
      }));
    });

  addGlobalOptions(td.command('describe').argument('<task-definition>', 'FAMILY (latest ACTIVE), FAMILY:REVISION or ARN').description('show one task definition'))
    .action(async (ref: string, opts: GlobalOptions) => {
      const ecs = ecsClient(opts);
      const out = await call(`describing ${ref}`, resolveConnection(opts).endpoint, async () => {
        try { return await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] })); } catch (e) {
          if ((e as Error).name === 'ClientException') throw new CliError(`task definition ${ref} not found: ${hint}`);
          throw e;
        }
      });
      if (opts.output === 'json') return printJson({ taskDefinition: out.taskDefinition, tags: out.tags });
      const t = out.taskDefinition!;
      printTable(['FIELD', 'VALUE'], [...summary(t), ['tags', (out.tags ?? []).map((x) => `${x.key}=${x.value}`).join(', ')]]);
      printTable(['CONTAINER', 'IMAGE', 'ESSENTIAL', 'CPU', 'MEMORY', 'PORTS'], containerRows(t));
    });

  addGlobalOptions(td.command('deregister').argument('<task-definition>', 'FAMILY:REVISION or ARN').description('mark a revision INACTIVE'))
    .action(async (ref: string, opts: GlobalOptions) => {
      if (!ref.startsWith('arn:') && !/:\d+$/.test(ref)) throw new CliError(`deregister needs a revision: FAMILY:REVISION (e.g. ${ref}:1) or the task definition ARN`);
      const ecs = ecsClient(opts);
      const out = await call(`deregistering ${ref}`, resolveConnection(opts).endpoint, () => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: ref })));
      if (opts.output === 'json') return printJson(out.taskDefinition);
      process.stdout.write(`${out.taskDefinition?.family}:${out.taskDefinition?.revision} is ${out.taskDefinition?.status}\n`);
    });
}
