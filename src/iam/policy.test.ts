import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate, evaluateTrust, MalformedPolicyError, parsePolicy, type AuthzRequest, type Decision } from './policy.js';

const ACCT = '123456789012';
const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (Action: unknown, Resource: unknown = '*', extra: object = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: unknown, Resource: unknown = '*', extra: object = {}) => ({ Effect: 'Deny', Action, Resource, ...extra });

interface Case {
  readonly name: string;
  readonly policies: readonly string[];
  readonly action: string;
  readonly resource?: string;
  readonly context?: AuthzRequest['context'];
  readonly expect: Decision;
}

const CLUSTER = `arn:aws:ecs:us-east-1:${ACCT}:cluster/prod-1`;
const TD = `arn:aws:ecs:us-east-1:${ACCT}:task-definition/web:3`;

// Cases from the IAM User Guide (policy evaluation logic, element reference, condition operators,
// example policies) and the ECS developer guide's identity-based policy examples, with the decision
// those pages give.
const CASES: Case[] = [
  { name: 'AdministratorAccess allows any action', policies: [doc(allow('*'))], action: 'ecs:RunTask', resource: TD, expect: 'Allow' },
  { name: 'no policy at all: implicit deny', policies: [], action: 'ecs:ListClusters', expect: 'ImplicitDeny' },
  { name: 'Describe* covers DescribeTasks', policies: [doc(allow('ecs:Describe*'))], action: 'ecs:DescribeTasks', expect: 'Allow' },
  { name: 'Describe* does not cover RunTask', policies: [doc(allow('ecs:Describe*'))], action: 'ecs:RunTask', resource: TD, expect: 'ImplicitDeny' },
  { name: 'action names are case-insensitive', policies: [doc(allow('ECS:describetasks'))], action: 'ecs:DescribeTasks', expect: 'Allow' },
  { name: '? matches one character', policies: [doc(allow('ecs:List?asks'))], action: 'ecs:ListTasks', expect: 'Allow' },
  { name: 'service prefix must match', policies: [doc(allow('ecr:*'))], action: 'ecs:ListClusters', expect: 'ImplicitDeny' },
  { name: 'explicit deny overrides allow in the same policy', policies: [doc(allow('ecs:*'), deny('ecs:DeleteCluster'))], action: 'ecs:DeleteCluster', resource: CLUSTER, expect: 'ExplicitDeny' },
  { name: 'explicit deny in another policy overrides allow', policies: [doc(allow('*')), doc(deny('ecs:*', CLUSTER))], action: 'ecs:DeleteCluster', resource: CLUSTER, expect: 'ExplicitDeny' },
  { name: 'deny scoped to another resource leaves the allow', policies: [doc(allow('ecs:*'), deny('ecs:*', `arn:aws:ecs:us-east-1:${ACCT}:cluster/dev`))], action: 'ecs:DeleteCluster', resource: CLUSTER, expect: 'Allow' },
  { name: 'NotAction allow: everything but IAM is allowed', policies: [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], action: 'ecs:RunTask', resource: TD, expect: 'Allow' },
  { name: 'NotAction allow: IAM stays implicitly denied', policies: [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCT}:user/bob`, expect: 'ImplicitDeny' },
  { name: 'NotAction deny: denies everything not listed', policies: [doc(allow('*'), { Effect: 'Deny', NotAction: ['iam:ChangePassword', 'sts:GetSessionToken'], Resource: '*' })], action: 'ecs:ListClusters', expect: 'ExplicitDeny' },
  { name: 'NotAction deny: listed action escapes the deny', policies: [doc(allow('*'), { Effect: 'Deny', NotAction: ['iam:ChangePassword', 'sts:GetSessionToken'], Resource: '*' })], action: 'sts:GetSessionToken', expect: 'Allow' },
  { name: 'resource wildcard at the end of a name', policies: [doc(allow('ecs:*', `arn:aws:ecs:us-east-1:${ACCT}:cluster/prod*`))], action: 'ecs:DescribeClusters', resource: CLUSTER, expect: 'Allow' },
  { name: 'resource wildcard does not cover another name', policies: [doc(allow('ecs:*', `arn:aws:ecs:us-east-1:${ACCT}:cluster/prod*`))], action: 'ecs:DescribeClusters', resource: `arn:aws:ecs:us-east-1:${ACCT}:cluster/dev`, expect: 'ImplicitDeny' },
  { name: 'region wildcard', policies: [doc(allow('ecs:*', `arn:aws:ecs:*:${ACCT}:cluster/*`))], action: 'ecs:DescribeClusters', resource: CLUSTER, expect: 'Allow' },
  { name: 'a region wildcard does not swallow the account', policies: [doc(allow('ecs:*', 'arn:aws:ecs:*:cluster/prod-1'))], action: 'ecs:DescribeClusters', resource: CLUSTER, expect: 'ImplicitDeny' },
  { name: 'resource ARNs are case-sensitive', policies: [doc(allow('ecs:*', `arn:aws:ecs:us-east-1:${ACCT}:cluster/PROD-1`))], action: 'ecs:DescribeClusters', resource: CLUSTER, expect: 'ImplicitDeny' },
  { name: 'NotResource allow: other resources allowed', policies: [doc({ Effect: 'Allow', Action: 'ecs:*', NotResource: `arn:aws:ecs:us-east-1:${ACCT}:cluster/prod*` })], action: 'ecs:DeleteCluster', resource: `arn:aws:ecs:us-east-1:${ACCT}:cluster/dev`, expect: 'Allow' },
  { name: 'NotResource allow: excluded resource not allowed', policies: [doc({ Effect: 'Allow', Action: 'ecs:*', NotResource: `arn:aws:ecs:us-east-1:${ACCT}:cluster/prod*` })], action: 'ecs:DeleteCluster', resource: CLUSTER, expect: 'ImplicitDeny' },
  { name: 'task definition family wildcard (any revision)', policies: [doc(allow('ecs:RunTask', `arn:aws:ecs:us-east-1:${ACCT}:task-definition/web:*`))], action: 'ecs:RunTask', resource: TD, expect: 'Allow' },
  { name: 'ecs:cluster condition met', policies: [doc(allow('ecs:RunTask', '*', { Condition: { ArnEquals: { 'ecs:cluster': CLUSTER } } }))], action: 'ecs:RunTask', resource: TD, context: { 'ecs:cluster': CLUSTER }, expect: 'Allow' },
  { name: 'ecs:cluster condition not met', policies: [doc(allow('ecs:RunTask', '*', { Condition: { ArnEquals: { 'ecs:cluster': CLUSTER } } }))], action: 'ecs:RunTask', resource: TD, context: { 'ecs:cluster': `arn:aws:ecs:us-east-1:${ACCT}:cluster/dev` }, expect: 'ImplicitDeny' },
  { name: 'condition key absent: positive operator is false', policies: [doc(allow('ecs:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } }))], action: 'ecs:StopTask', expect: 'ImplicitDeny' },
  { name: 'condition key absent: negated operator is true', policies: [doc(allow('ecs:*', '*', { Condition: { StringNotEquals: { 'aws:ResourceTag/env': 'prod' } } }))], action: 'ecs:StopTask', expect: 'Allow' },
  { name: 'condition key names are case-insensitive', policies: [doc(allow('ecs:*', '*', { Condition: { StringEquals: { 'AWS:ResourceTag/env': 'prod' } } }))], action: 'ecs:StopTask', context: { 'aws:resourcetag/env': 'prod' }, expect: 'Allow' },
  { name: 'StringEquals values are case-sensitive', policies: [doc(allow('ecs:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } }))], action: 'ecs:StopTask', context: { 'aws:resourcetag/env': 'PROD' }, expect: 'ImplicitDeny' },
  { name: 'StringEqualsIgnoreCase', policies: [doc(allow('ecs:*', '*', { Condition: { StringEqualsIgnoreCase: { 'aws:ResourceTag/env': 'prod' } } }))], action: 'ecs:StopTask', context: { 'aws:resourcetag/env': 'PROD' }, expect: 'Allow' },
  { name: 'StringLike with a wildcard', policies: [doc(allow('ecs:*', '*', { Condition: { StringLike: { 'ecs:service': '*web*' } } }))], action: 'ecs:UpdateService', context: { 'ecs:service': 'arn:aws:ecs:us-east-1:1:service/c/my-web-app' }, expect: 'Allow' },
  { name: 'StringNotLike', policies: [doc(allow('*'), deny('ecs:*', '*', { Condition: { StringNotLike: { 'aws:username': 'ops-*' } } }))], action: 'ecs:DeleteService', context: { 'aws:username': 'dev-ann' }, expect: 'ExplicitDeny' },
  { name: 'several values for one key are OR-ed', policies: [doc(allow('ecs:*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } } }))], action: 'ecs:ListClusters', context: { 'aws:requestedregion': 'eu-west-1' }, expect: 'Allow' },
  { name: 'several keys are AND-ed', policies: [doc(allow('ecs:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod', 'aws:PrincipalTag/team': 'web' } } }))], action: 'ecs:StopTask', context: { 'aws:resourcetag/env': 'prod', 'aws:principaltag/team': 'db' }, expect: 'ImplicitDeny' },
  { name: 'several operators are AND-ed', policies: [doc(allow('ecs:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' }, Bool: { 'aws:SecureTransport': 'true' } } }))], action: 'ecs:StopTask', context: { 'aws:resourcetag/env': 'prod', 'aws:securetransport': 'false' }, expect: 'ImplicitDeny' },
  { name: 'aws:SourceIp inside the range', policies: [doc(allow('*', '*', { Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } } }))], action: 'ecs:ListClusters', context: { 'aws:sourceip': '203.0.113.7' }, expect: 'Allow' },
  { name: 'aws:SourceIp outside the range', policies: [doc(allow('*', '*', { Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } } }))], action: 'ecs:ListClusters', context: { 'aws:sourceip': '198.51.100.1' }, expect: 'ImplicitDeny' },
  { name: 'deny by NotIpAddress (requests from elsewhere)', policies: [doc(allow('*'), deny('*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }))], action: 'ecs:ListClusters', context: { 'aws:sourceip': '198.51.100.1' }, expect: 'ExplicitDeny' },
  { name: 'IPv6 CIDR', policies: [doc(allow('*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '2001:db8:1234:5678::/64' } } }))], action: 'ecs:ListClusters', context: { 'aws:sourceip': '2001:db8:1234:5678::abcd' }, expect: 'Allow' },
  { name: 'Bool aws:SecureTransport false denies', policies: [doc(allow('*'), deny('*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }))], action: 'ecs:ListClusters', context: { 'aws:securetransport': 'false' }, expect: 'ExplicitDeny' },
  { name: 'BoolIfExists MFA deny: key absent still denies', policies: [doc(allow('*'), deny('*', '*', { Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }))], action: 'ecs:ListClusters', expect: 'ExplicitDeny' },
  { name: 'plain Bool MFA deny: key absent does not deny', policies: [doc(allow('*'), deny('*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }))], action: 'ecs:ListClusters', expect: 'Allow' },
  { name: 'Null true: key absent', policies: [doc(allow('*', '*', { Condition: { Null: { 'aws:TokenIssueTime': 'true' } } }))], action: 'ecs:ListClusters', expect: 'Allow' },
  { name: 'Null true: key present fails', policies: [doc(allow('*', '*', { Condition: { Null: { 'aws:TokenIssueTime': 'true' } } }))], action: 'ecs:ListClusters', context: { 'aws:tokenissuetime': '2026-01-01T00:00:00Z' }, expect: 'ImplicitDeny' },
  { name: 'Null false requires the request tag', policies: [doc(allow('ecs:CreateCluster', '*', { Condition: { Null: { 'aws:RequestTag/team': 'false' } } }))], action: 'ecs:CreateCluster', expect: 'ImplicitDeny' },
  { name: 'DateLessThan aws:CurrentTime before the date', policies: [doc(allow('*', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '2027-06-30T00:00:00Z' } } }))], action: 'ecs:ListClusters', context: { 'aws:currenttime': '2026-12-03T12:00:00Z' }, expect: 'Allow' },
  { name: 'DateGreaterThan aws:CurrentTime before the date', policies: [doc(allow('*', '*', { Condition: { DateGreaterThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } } }))], action: 'ecs:ListClusters', context: { 'aws:currenttime': '2026-12-03T12:00:00Z' }, expect: 'ImplicitDeny' },
  { name: 'NumericLessThanEquals aws:MultiFactorAuthAge', policies: [doc(allow('*', '*', { Condition: { NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '3600' } } }))], action: 'ecs:ListClusters', context: { 'aws:multifactorauthage': '7200' }, expect: 'ImplicitDeny' },
  { name: 'ForAllValues:StringEquals tag keys subset', policies: [doc(allow('ecs:TagResource', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } }))], action: 'ecs:TagResource', context: { 'aws:tagkeys': ['env'] }, expect: 'Allow' },
  { name: 'ForAllValues:StringEquals an extra tag key', policies: [doc(allow('ecs:TagResource', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } }))], action: 'ecs:TagResource', context: { 'aws:tagkeys': ['env', 'cost'] }, expect: 'ImplicitDeny' },
  { name: 'ForAllValues with no values at all is true', policies: [doc(allow('ecs:TagResource', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } } }))], action: 'ecs:TagResource', expect: 'Allow' },
  { name: 'ForAnyValue:StringEquals one match is enough', policies: [doc(allow('ecs:TagResource', '*', { Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] } } }))], action: 'ecs:TagResource', context: { 'aws:tagkeys': ['cost', 'env'] }, expect: 'Allow' },
  { name: 'ForAnyValue with no values is false', policies: [doc(allow('ecs:TagResource', '*', { Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] } } }))], action: 'ecs:TagResource', expect: 'ImplicitDeny' },
  { name: 'ABAC: resource tag equals principal tag', policies: [doc(allow('ecs:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } }))], action: 'ecs:StopTask', context: { 'aws:resourcetag/team': 'web', 'aws:principaltag/team': 'web' }, expect: 'Allow' },
  { name: 'ABAC: different team', policies: [doc(allow('ecs:*', '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } }))], action: 'ecs:StopTask', context: { 'aws:resourcetag/team': 'db', 'aws:principaltag/team': 'web' }, expect: 'ImplicitDeny' },
  { name: '${aws:username} in Resource (own access keys)', policies: [doc(allow('iam:*AccessKey*', `arn:aws:iam::${ACCT}:user/\${aws:username}`))], action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCT}:user/alice`, context: { 'aws:username': 'alice' }, expect: 'Allow' },
  { name: '${aws:username} in Resource (someone else)', policies: [doc(allow('iam:*AccessKey*', `arn:aws:iam::${ACCT}:user/\${aws:username}`))], action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCT}:user/bob`, context: { 'aws:username': 'alice' }, expect: 'ImplicitDeny' },
  { name: 'policy variable without a value matches nothing', policies: [doc(allow('iam:*', `arn:aws:iam::${ACCT}:user/\${aws:username}`))], action: 'iam:GetUser', resource: `arn:aws:iam::${ACCT}:user/alice`, expect: 'ImplicitDeny' },
  { name: '${*} is a literal asterisk', policies: [doc(allow('ecs:*', `arn:aws:ecs:us-east-1:${ACCT}:cluster/a\${*}`))], action: 'ecs:DescribeClusters', resource: `arn:aws:ecs:us-east-1:${ACCT}:cluster/abc`, expect: 'ImplicitDeny' },
  { name: 'ArnLike on ecs:task-definition', policies: [doc(allow('ecs:CreateService', '*', { Condition: { ArnLike: { 'ecs:task-definition': `arn:aws:ecs:*:${ACCT}:task-definition/web:*` } } }))], action: 'ecs:CreateService', context: { 'ecs:task-definition': TD }, expect: 'Allow' },
  { name: 'ArnNotEquals deny', policies: [doc(allow('*'), deny('ecs:RunTask', '*', { Condition: { ArnNotEquals: { 'ecs:cluster': CLUSTER } } }))], action: 'ecs:RunTask', context: { 'ecs:cluster': `arn:aws:ecs:us-east-1:${ACCT}:cluster/other` }, expect: 'ExplicitDeny' },
  { name: 'StringLikeIfExists with the key absent holds', policies: [doc(allow('ecs:*', '*', { Condition: { StringLikeIfExists: { 'ecs:cluster': '*prod*' } } }))], action: 'ecs:ListClusters', expect: 'Allow' },
  { name: 'iam:PassRole only to ECS tasks', policies: [doc(allow('iam:PassRole', `arn:aws:iam::${ACCT}:role/app-*`, { Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }))], action: 'iam:PassRole', resource: `arn:aws:iam::${ACCT}:role/app-web`, context: { 'iam:passedtoservice': 'ecs-tasks.amazonaws.com' }, expect: 'Allow' },
  { name: 'iam:PassRole to another service', policies: [doc(allow('iam:PassRole', `arn:aws:iam::${ACCT}:role/app-*`, { Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }))], action: 'iam:PassRole', resource: `arn:aws:iam::${ACCT}:role/app-web`, context: { 'iam:passedtoservice': 'ec2.amazonaws.com' }, expect: 'ImplicitDeny' },
  { name: 'deny whose condition fails leaves the allow', policies: [doc(allow('*'), deny('*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }))], action: 'ecs:ListClusters', context: { 'aws:requestedregion': 'us-east-1' }, expect: 'Allow' },
  { name: 'a policy with only Deny statements never allows', policies: [doc(deny('ecs:DeleteCluster'))], action: 'ecs:ListClusters', expect: 'ImplicitDeny' },
];

for (const c of CASES) {
  test(`policy table: ${c.name}`, () => {
    const got = evaluate(c.policies.map((p) => parsePolicy(p)), { action: c.action, resource: c.resource ?? '*', context: c.context ?? {} });
    assert.equal(got.decision, c.expect);
  });
}

test('the table has at least 40 cases', () => assert.ok(CASES.length >= 40, String(CASES.length)));

test('malformed documents name the reason', () => {
  const bad: [string, RegExp][] = [
    ['{not json', /Syntax errors in policy/],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }), /Invalid effect/],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] }), /must contain actions/],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:*' }] }), /must contain resources/],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'RunTask', Resource: '*' }] }), /prefaced by a vendor/],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }] }), /should not specify a principal/],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringSortOf: { a: 'b' } } }] }), /Invalid Condition type/],
    [JSON.stringify({ Version: '2020-01-01', Statement: [] }), /valid version/],
    [JSON.stringify({ Version: '2012-10-17' }), /Missing required field Statement/],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: 'cluster/x' }] }), /ARN format/],
  ];
  for (const [text, re] of bad) assert.throws(() => parsePolicy(text), (e: unknown) => e instanceof MalformedPolicyError && re.test(e.message), text);
});

test('trust policies: ecs-tasks service, a named user, the account, external id', () => {
  const trust = parsePolicy(JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:user/alice` }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { AWS: ACCT }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x-1' } } },
    ],
  }), 'trust');
  assert.equal(evaluateTrust(trust, 'sts:AssumeRole', { arn: 'ecs-tasks.amazonaws.com', accountId: ACCT, service: 'ecs-tasks.amazonaws.com' }, {}), 'direct');
  assert.equal(evaluateTrust(trust, 'sts:AssumeRole', { arn: 'ec2.amazonaws.com', accountId: ACCT, service: 'ec2.amazonaws.com' }, {}), undefined);
  assert.equal(evaluateTrust(trust, 'sts:AssumeRole', { arn: `arn:aws:iam::${ACCT}:user/alice`, accountId: ACCT }, {}), 'direct');
  assert.equal(evaluateTrust(trust, 'sts:AssumeRole', { arn: `arn:aws:iam::${ACCT}:user/bob`, accountId: ACCT }, {}), undefined);
  assert.equal(evaluateTrust(trust, 'sts:AssumeRole', { arn: `arn:aws:iam::${ACCT}:user/bob`, accountId: ACCT }, { 'sts:externalid': 'x-1' }), 'account');
  assert.throws(() => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }), 'trust'), MalformedPolicyError);
});

// ---- properties -------------------------------------------------------------------------------

const ACTIONS = ['ecs:RunTask', 'ecs:DescribeTasks', 'ecs:ListClusters', 'ecr:BatchGetImage', 'iam:PassRole', 'logs:PutLogEvents'];
const PATTERNS = ['*', 'ecs:*', 'ecs:Describe*', 'ecs:RunTask', 'ecr:*', 'iam:Pass?ole', 'logs:*Events', 'ecs:List*'];
const RESOURCES = [CLUSTER, TD, `arn:aws:ecs:us-east-1:${ACCT}:cluster/dev`, `arn:aws:iam::${ACCT}:role/app`];
const RPATTERNS = ['*', `arn:aws:ecs:*:${ACCT}:cluster/*`, `arn:aws:ecs:us-east-1:${ACCT}:task-definition/web:*`, `arn:aws:iam::${ACCT}:role/*`, CLUSTER];

const statementArb = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  act: fc.tuple(fc.boolean(), fc.subarray(PATTERNS, { minLength: 1 })),
  res: fc.tuple(fc.boolean(), fc.subarray(RPATTERNS, { minLength: 1 })),
  cond: fc.option(fc.constantFrom('prod', 'dev'), { nil: undefined }),
}).map(({ Effect, act, res, cond }) => ({
  Effect,
  [act[0] ? 'NotAction' : 'Action']: act[1],
  [res[0] ? 'NotResource' : 'Resource']: res[1],
  ...(cond ? { Condition: { StringEquals: { 'aws:ResourceTag/env': cond } } } : {}),
}));
const policiesArb = fc.array(fc.array(statementArb, { minLength: 1, maxLength: 5 }), { maxLength: 4 });
const requestArb = fc.record({
  action: fc.constantFrom(...ACTIONS),
  resource: fc.constantFrom(...RESOURCES),
  env: fc.option(fc.constantFrom('prod', 'dev'), { nil: undefined }),
}).map(({ action, resource, env }): AuthzRequest => ({ action, resource, context: env ? { 'aws:resourcetag/env': env } : {} }));
const parse = (ps: object[][]) => ps.map((st) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: st })));

test('property: an explicit deny that matches always wins, whatever else is allowed', () => {
  fc.assert(fc.property(policiesArb, requestArb, (ps, req) => {
    const denyAll = [{ Effect: 'Deny', Action: req.action, Resource: req.resource }];
    const d1 = evaluate(parse([...ps, denyAll]), req).decision;
    const d2 = evaluate(parse([denyAll, ...ps, [{ Effect: 'Allow', Action: '*', Resource: '*' }]]), req).decision;
    return d1 === 'ExplicitDeny' && d2 === 'ExplicitDeny';
  }), { numRuns: 300 });
});

test('property: the order of statements and policies does not matter', () => {
  fc.assert(fc.property(policiesArb, requestArb, fc.integer(), (ps, req, seed) => {
    const flat = ps.flat();
    const shuffled = [...flat].sort((a, b) => ((JSON.stringify(a).length * 31 + seed) % 7) - ((JSON.stringify(b).length * 31 + seed) % 7)).reverse();
    const one = evaluate(parse(ps), req).decision;
    const merged = evaluate(parse(flat.length ? [shuffled] : []), req).decision;
    const reversedPolicies = evaluate(parse([...ps].reverse()), req).decision;
    return one === merged && one === reversedPolicies;
  }), { numRuns: 300 });
});

test('property: NotAction X allows exactly what Action X does not', () => {
  fc.assert(fc.property(fc.subarray(PATTERNS, { minLength: 1 }), requestArb, (pats, req) => {
    const a = evaluate(parse([[{ Effect: 'Allow', Action: pats, Resource: '*' }]]), req).decision === 'Allow';
    const n = evaluate(parse([[{ Effect: 'Allow', NotAction: pats, Resource: '*' }]]), req).decision === 'Allow';
    return a !== n;
  }), { numRuns: 300 });
});

test('property: a wildcard pattern covers every action it prefixes, case-insensitively', () => {
  fc.assert(fc.property(fc.constantFrom(...ACTIONS), fc.integer({ min: 0, max: 20 }), fc.boolean(), (action, cut, upper) => {
    const prefix = action.slice(0, Math.min(cut, action.length));
    const pattern = (upper ? prefix.toUpperCase() : prefix) + '*';
    if (!pattern.includes(':') && pattern !== '*') return true; // not a valid action pattern
    return evaluate(parse([[{ Effect: 'Allow', Action: pattern, Resource: '*' }]]), { action, resource: '*', context: {} }).decision === 'Allow';
  }), { numRuns: 300 });
});
