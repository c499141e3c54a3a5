/**
 * AWS Security Token Service (awsQuery, 2011-06-15): GetCallerIdentity, AssumeRole, GetSessionToken.
 *
 * AssumeRole is authorized here, not by the dispatcher's generic check, because two policies decide it
 * together: the role's trust policy must name the caller (then it is enough within one account) or the
 * caller's account (then the caller's own identity policy must also allow sts:AssumeRole on the role),
 * and an explicit deny in either wins. A role that does not exist is answered like a refusal, as AWS
 * does, so callers cannot probe for role names.
 */
import type * as S from '@aws-sdk/client-sts';
import stsModel from '../../model/aws/sts.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import { ApiError } from '../../model/errors.js';
import { evaluateTrust, notAuthorizedMessage, parsePolicy } from '../../iam/policy.js';
import { issueSession } from '../../iam/sessions.js';
import { assumedRoleArn } from '../../iam/records.js';
import type { Handler, RequestContext, ServiceDefinition } from '../types.js';

const getCallerIdentity: Handler<S.GetCallerIdentityRequest, S.GetCallerIdentityResponse> = async (_input, ctx) =>
  ({ UserId: ctx.principal.userId, Account: ctx.accountId, Arn: ctx.principal.arn });

function denied(ctx: RequestContext, action: string, resource: string, explicit = false): ApiError {
  return new ApiError('AccessDenied', notAuthorizedMessage(ctx.principal.arn, action, resource, explicit ? 'ExplicitDeny' : 'ImplicitDeny'));
}

const assumeRole: Handler<S.AssumeRoleRequest, S.AssumeRoleResponse> = async (input, ctx) => {
  const arn = input.RoleArn!;
  if (input.Policy !== undefined || (input.PolicyArns?.length ?? 0) > 0) {
    throw new ApiError('ValidationError', 'Session policies (Policy, PolicyArns) are not supported by Wharf: attach the permissions to the role instead.');
  }
  const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
  const role = m && m[1] === ctx.accountId ? ctx.iam.roles.get(m[2]) : undefined;
  if (!role || role.arn !== arn) throw denied(ctx, 'sts:AssumeRole', arn);
  const global = ctx.iam.globalContext(ctx.principal, ctx.now, { region: ctx.region });
  const context = { ...global, ...(input.ExternalId !== undefined ? { 'sts:externalid': input.ExternalId } : {}), ...(input.SourceIdentity !== undefined ? { 'sts:sourceidentity': input.SourceIdentity } : {}) };
  const trust = evaluateTrust(parsePolicy(role.assumeRolePolicyDocument, 'trust'), 'sts:AssumeRole',
    { arn: ctx.principal.arn, accountId: ctx.accountId, ...(ctx.principal.type === 'assumed-role' ? { roleArn: ctx.iam.roles.get(ctx.principal.roleName!)?.arn } : {}) }, context);
  if (!trust) throw denied(ctx, 'sts:AssumeRole', arn);
  const identity = ctx.principal.bootstrap ? 'Allow' : ctx.iam.authorize(ctx.principal, { action: 'sts:AssumeRole', resource: arn, context }).decision;
  if (identity === 'ExplicitDeny') throw denied(ctx, 'sts:AssumeRole', arn, true);
  if (trust === 'account' && identity !== 'Allow') throw denied(ctx, 'sts:AssumeRole', arn);
  const duration = input.DurationSeconds ?? 3600;
  // Role chaining (a role session assuming a role) is limited to one hour, as in AWS.
  const max = ctx.principal.type === 'assumed-role' ? 3600 : role.maxSessionDuration;
  if (duration > max) throw new ApiError('ValidationError', `The requested DurationSeconds exceeds the ${ctx.principal.type === 'assumed-role' ? '1 hour session limit for roles assumed by role chaining' : 'MaxSessionDuration set for this role'}.`);
  const s = await issueSession(ctx.store, ctx.iam, { kind: 'role', roleName: role.roleName, sessionName: input.RoleSessionName!, durationSeconds: duration, tags: input.Tags as { Key: string; Value: string }[] | undefined }, ctx.now);
  return {
    Credentials: { AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, SessionToken: s.sessionToken, Expiration: new Date(s.expiration) },
    AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${input.RoleSessionName}`, Arn: assumedRoleArn(ctx.accountId, role.roleName, input.RoleSessionName!) },
    ...(input.Tags?.length ? { PackedPolicySize: 1 } : {}),
    ...(input.SourceIdentity !== undefined ? { SourceIdentity: input.SourceIdentity } : {}),
  };
};

const getSessionToken: Handler<S.GetSessionTokenRequest, S.GetSessionTokenResponse> = async (input, ctx) => {
  if (ctx.principal.type !== 'user' || ctx.principal.session) throw new ApiError('AccessDenied', 'Cannot call GetSessionToken with session credentials');
  const duration = input.DurationSeconds ?? 43_200;
  const s = await issueSession(ctx.store, ctx.iam, { kind: 'user', userName: ctx.principal.userName!, durationSeconds: duration }, ctx.now);
  return { Credentials: { AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, SessionToken: s.sessionToken, Expiration: new Date(s.expiration) } };
};

export function stsService(): ServiceDefinition {
  return {
    name: 'sts',
    signingName: 'sts',
    model: stsModel as unknown as ServiceModel,
    validationError: 'ValidationError',
    serverError: 'InternalFailure',
    handlers: { GetCallerIdentity: getCallerIdentity, AssumeRole: assumeRole, GetSessionToken: getSessionToken },
    // GetCallerIdentity and GetSessionToken need no permission (AWS documents both so); AssumeRole is
    // checked in its handler against trust and identity policies together.
    authorize: () => [],
  };
}
