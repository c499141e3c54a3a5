/**
 * IAM's resources per action (service authorization reference, "Actions defined by IAM"): users,
 * groups, roles and policies by ARN; access-key actions act on the user. Entities that do not exist
 * yet are named by the ARN they would get (path '/' unless the request gives one).
 */
import type { Authorizer, AuthzItem } from '../types.js';

export const iamAuthorizer: Authorizer = (operation, input, ctx) => {
  const acct = ctx.accountId;
  const path = typeof input.Path === 'string' ? input.Path : '/';
  const named = (kind: 'user' | 'group' | 'role', name: unknown): AuthzItem[] => {
    if (typeof name !== 'string') return [{ resource: '*' }];
    const existing = kind === 'user' ? ctx.iam.users.get(name)?.arn : kind === 'group' ? ctx.iam.groups.get(name)?.arn : ctx.iam.roles.get(name)?.arn;
    return [{ resource: existing ?? `arn:aws:iam::${acct}:${kind}${path}${name}` }];
  };
  if (typeof input.PolicyArn === 'string' && /^(Get|Delete|Create|List|Set)(Policy|PolicyVersion|PolicyVersions|DefaultPolicyVersion)$/.test(operation)) {
    return [{ resource: input.PolicyArn }];
  }
  if (operation === 'CreatePolicy') return [{ resource: `arn:aws:iam::${acct}:policy${path}${String(input.PolicyName)}` }];
  // Attaching a managed policy carries iam:PolicyARN (so a policy can allow attaching only some policies).
  if (typeof input.PolicyArn === 'string' && /^(Attach|Detach)/.test(operation)) {
    const kind = operation.includes('Role') ? 'role' : operation.includes('Group') ? 'group' : 'user';
    const name = input[kind === 'role' ? 'RoleName' : kind === 'group' ? 'GroupName' : 'UserName'];
    return named(kind, name).map((i) => ({ ...i, context: { 'iam:policyarn': input.PolicyArn as string } }));
  }
  if (typeof input.RoleName === 'string') return named('role', input.RoleName);
  if (typeof input.GroupName === 'string' && operation !== 'AddUserToGroup' && operation !== 'RemoveUserFromGroup') return named('group', input.GroupName);
  if (operation === 'AddUserToGroup' || operation === 'RemoveUserFromGroup') return named('group', input.GroupName);
  if (typeof input.UserName === 'string') return named('user', input.UserName);
  // Access-key and GetUser calls without a UserName act on the caller.
  if (/AccessKey|^GetUser$/.test(operation) && ctx.principal.userName) return named('user', ctx.principal.userName);
  return [{ resource: '*' }];
};
