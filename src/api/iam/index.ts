/** AWS Identity and Access Management (awsQuery, 2010-05-08): the operation table. IAM is global (one per install). */
import iamModel from '../../model/aws/iam.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { Handler, ServiceDefinition } from '../types.js';
import * as P from './principals.js';
import * as Pol from './policies.js';
import * as K from './access-keys.js';
import { iamAuthorizer } from './authz.js';

const table: Record<string, Handler> = {
  CreateUser: P.createUser, GetUser: P.getUser, ListUsers: P.listUsers, DeleteUser: P.deleteUser,
  TagUser: P.tagUser, UntagUser: P.untagUser, ListUserTags: P.listUserTags,
  CreateGroup: P.createGroup, GetGroup: P.getGroup, ListGroups: P.listGroups, DeleteGroup: P.deleteGroup,
  AddUserToGroup: P.addUserToGroup, RemoveUserFromGroup: P.removeUserFromGroup, ListGroupsForUser: P.listGroupsForUser,
  CreateRole: P.createRole, GetRole: P.getRole, ListRoles: P.listRoles, DeleteRole: P.deleteRole,
  UpdateAssumeRolePolicy: P.updateAssumeRolePolicy, UpdateRole: P.updateRole, TagRole: P.tagRole, UntagRole: P.untagRole, ListRoleTags: P.listRoleTags,
  CreatePolicy: Pol.createPolicy, GetPolicy: Pol.getPolicy, GetPolicyVersion: Pol.getPolicyVersion, ListPolicies: Pol.listPolicies, DeletePolicy: Pol.deletePolicy,
  CreatePolicyVersion: Pol.createPolicyVersion, ListPolicyVersions: Pol.listPolicyVersions, DeletePolicyVersion: Pol.deletePolicyVersion,
  SetDefaultPolicyVersion: Pol.setDefaultPolicyVersion,
  ...Pol.attachmentHandlers,
  CreateAccessKey: K.createAccessKey, ListAccessKeys: K.listAccessKeys, UpdateAccessKey: K.updateAccessKey, DeleteAccessKey: K.deleteAccessKey,
  GetAccessKeyLastUsed: K.getAccessKeyLastUsed,
};

export function iamService(): ServiceDefinition {
  return {
    name: 'iam',
    signingName: 'iam',
    model: iamModel as unknown as ServiceModel,
    validationError: 'ValidationError',
    serverError: 'ServiceFailure',
    handlers: table,
    authorize: iamAuthorizer,
  };
}
