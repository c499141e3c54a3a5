#!/usr/bin/env node
// Generates src/model/aws/<service>.json from the AWS service models (botocore's service-2.json, shipped
// inside Debian's `awscli` package). Documentation strings are dropped; shapes, required members, enums,
// min/max limits and patterns are kept, so request validation follows AWS's own model instead of
// hand-written rules. Run: node scripts/gen-models.mjs [botocore-data-dir]
// The committed models were generated from the newest botocore on the development machine: botocore
// 1.43.11 installed with pip under pyenv (ECS: 77 operations, among them the Daemon, Express Gateway and
// lifecycle-hook ones, and RegisterTaskDefinition's newest members), whose data files are gzipped
// (`service-2.json.gz`, read here as well as plain `service-2.json`). Debian's awscli 2.9 data (55 ECS
// operations) is the default source. The docs/ecs-coverage.md table is generated from the result by
// scripts/gen-coverage.mjs; rerun both after regenerating.
//   node scripts/gen-models.mjs /root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/botocore/data
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.argv[2] ?? '/usr/lib/python3/dist-packages/awscli/botocore/data';
const services = {
  ecs: 'ecs/2014-11-13',
  ecr: 'ecr/2015-09-21',
  logs: 'logs/2014-03-28',
  cloudwatch: 'cloudwatch/2010-08-01',
  elbv2: 'elbv2/2015-12-01',
  'application-autoscaling': 'application-autoscaling/2016-02-06',
  events: 'events/2015-10-07',
  iam: 'iam/2010-05-08',
  sts: 'sts/2011-06-15',
  secretsmanager: 'secretsmanager/2017-10-17',
  ssm: 'ssm/2014-11-06',
  servicediscovery: 'servicediscovery/2017-03-14',
  // restJson1: members carry `location` (uri, querystring, header) and `locationName`.
  scheduler: 'scheduler/2021-06-30',
  // EC2 has ~700 operations; Wharf serves the VPC/subnet/security-group ones an ECS user touches, so only
  // those operations and the shapes they reach are kept.
  ec2: { rel: 'ec2/2016-11-15', operations: [
    'DescribeVpcs', 'CreateVpc', 'DeleteVpc', 'DescribeSubnets', 'CreateSubnet', 'DeleteSubnet',
    'DescribeSecurityGroups', 'CreateSecurityGroup', 'DeleteSecurityGroup',
    'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
    'DescribeSecurityGroupRules', 'DescribeNetworkInterfaces', 'DescribeAvailabilityZones', 'CreateTags', 'DeleteTags', 'DescribeTags',
    'DescribeAccountAttributes',
  ] },
};
// Generate only the named services (all when none is named): node scripts/gen-models.mjs DIR iam sts
const only = process.argv.slice(3);
const keepShape = ['type', 'required', 'members', 'member', 'key', 'value', 'enum', 'min', 'max', 'pattern', 'flattened', 'timestampFormat', 'exception', 'error', 'fault', 'locationName', 'xmlNamespace', 'wrapper', 'box'];
const keepMember = ['shape', 'location', 'locationName', 'queryName', 'flattened', 'xmlNamespace', 'jsonvalue', 'idempotencyToken', 'deprecated'];
const pick = (o, keys) => Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));

mkdirSync(join(root, 'src/model/aws'), { recursive: true });
/** The shapes reachable from the given operations' inputs, outputs and errors. */
function reachable(m, ops) {
  const seen = new Set();
  const visit = (name) => {
    if (!name || seen.has(name)) return;
    seen.add(name);
    const s = m.shapes[name];
    for (const ref of [...Object.values(s.members ?? {}), s.member, s.key, s.value]) if (ref) visit(ref.shape);
  };
  for (const o of ops) for (const ref of [m.operations[o].input, m.operations[o].output, ...(m.operations[o].errors ?? [])]) if (ref) visit(ref.shape);
  return seen;
}

for (const [name, entry] of Object.entries(services)) {
  const rel = typeof entry === 'string' ? entry : entry.rel;
  if (only.length > 0 && !only.includes(name)) continue;
  const file = join(dataDir, rel, 'service-2.json');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : existsSync(`${file}.gz`) ? gunzipSync(readFileSync(`${file}.gz`)).toString('utf8') : null;
  if (text === null) { console.error(`skip ${name}: ${file}(.gz) not found`); continue; }
  const m = JSON.parse(text);
  if (typeof entry !== 'string') {
    const keep = reachable(m, entry.operations);
    m.operations = Object.fromEntries(entry.operations.map((o) => [o, m.operations[o]]));
    m.shapes = Object.fromEntries(Object.entries(m.shapes).filter(([sn]) => keep.has(sn)));
  }
  const shapes = {};
  for (const [sn, s] of Object.entries(m.shapes)) {
    const out = pick(s, keepShape);
    if (s.members) out.members = Object.fromEntries(Object.entries(s.members).map(([k, v]) => [k, pick(v, keepMember)]));
    if (s.member) out.member = pick(s.member, keepMember);
    if (s.key) out.key = pick(s.key, keepMember);
    if (s.value) out.value = pick(s.value, keepMember);
    shapes[sn] = out;
  }
  const operations = Object.fromEntries(Object.entries(m.operations).map(([on, o]) => [on, {
    http: o.http, input: o.input?.shape, output: o.output?.shape, resultWrapper: o.output?.resultWrapper,
    errors: (o.errors ?? []).map((e) => e.shape),
  }]));
  const md = pick(m.metadata, ['apiVersion', 'endpointPrefix', 'jsonVersion', 'protocol', 'signingName', 'targetPrefix', 'xmlNamespace', 'serviceId']);
  writeFileSync(join(root, 'src/model/aws', `${name}.json`), JSON.stringify({ metadata: md, operations, shapes }) + '\n');
  console.log(`${name}: ${Object.keys(operations).length} operations, ${Object.keys(shapes).length} shapes`);
}
