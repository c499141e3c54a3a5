/** IAM users, groups and roles: create, read, list, delete, tags, group membership, trust policy. */
import type * as I from '@aws-sdk/client-iam';
import { ApiError } from '../../model/errors.js';
import { iamArn, iamKeys, type GroupRecord, type RoleRecord, type UserRecord } from '../../iam/records.js';
import type { AccessKey } from '../../iam/access-keys.js';
import type { Handler } from '../types.js';
import { checkPolicyDocument, createRec, deleteRec, listRecs, mergeTags, normPath, page, requireRec, toDate, uniqueId, updateRec } from './common.js';

export const userView = (u: UserRecord): I.User => ({
  Path: u.path, UserName: u.userName, UserId: u.userId, Arn: u.arn, CreateDate: toDate(u.createDate), ...(u.tags.length ? { Tags: [...u.tags] } : {}),
});
export const groupView = (g: GroupRecord): I.Group => ({ Path: g.path, GroupName: g.groupName, GroupId: g.groupId, Arn: g.arn, CreateDate: toDate(g.createDate) });
export const roleView = (r: RoleRecord): I.Role => ({
  Path: r.path, RoleName: r.roleName, RoleId: r.roleId, Arn: r.arn, CreateDate: toDate(r.createDate),
  // IAM returns the trust policy URL-encoded (the AWS CLI and SDKs decode it).
  AssumeRolePolicyDocument: encodeURIComponent(r.assumeRolePolicyDocument),
  ...(r.description !== undefined ? { Description: r.description } : {}), MaxSessionDuration: r.maxSessionDuration,
  ...(r.tags.length ? { Tags: [...r.tags] } : {}),
});

// ---- users ------------------------------------------------------------------------------------

export const createUser: Handler<I.CreateUserRequest, I.CreateUserResponse> = async (input, ctx) => {
  const path = normPath(input.Path);
  const user: UserRecord = {
    userName: input.UserName!, userId: uniqueId('AIDA'), arn: iamArn(ctx.accountId, 'user', path, input.UserName!), path,
    createDate: ctx.now.getTime(), tags: mergeTags([], input.Tags as UserRecord['tags']), groups: [], attached: [], inline: {},
  };
  await createRec(ctx, iamKeys.user(user.userName), user, `User with name ${user.userName}`);
  return { User: userView(user) };
};

export const getUser: Handler<I.GetUserRequest, I.GetUserResponse> = async (input, ctx) => {
  const name = input.UserName ?? ctx.principal.userName;
  if (!name) throw new ApiError('ValidationError', 'Must specify userName when calling with non-User credentials');
  const u = await requireRec<UserRecord>(ctx, iamKeys.user(name), 'user', name);
  return { User: userView(u.value) };
};

export const listUsers: Handler<I.ListUsersRequest, I.ListUsersResponse> = async (input, ctx) => {
  const all = (await listRecs<UserRecord>(ctx, '/iam/users/')).filter((u) => u.path.startsWith(input.PathPrefix ?? '/'));
  const p = page(all, (u) => u.userName, input);
  return { Users: p.items.map(userView), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
};

export const deleteUser: Handler<I.DeleteUserRequest, Record<string, never>> = async (input, ctx) => {
  const u = await requireRec<UserRecord>(ctx, iamKeys.user(input.UserName!), 'user', input.UserName!);
  if (u.value.bootstrap) throw new ApiError('DeleteConflict', 'Cannot delete the installation\'s bootstrap administrator.');
  const keys = (await listRecs<AccessKey>(ctx, '/iam/access-keys/')).filter((k) => k.userName === input.UserName);
  if (keys.length) throw new ApiError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
  if (u.value.attached.length || Object.keys(u.value.inline).length) throw new ApiError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
  if (u.value.groups.length) throw new ApiError('DeleteConflict', 'Cannot delete entity, must remove users from group first.');
  await deleteRec(ctx, u);
  return {};
};

export const tagUser: Handler<I.TagUserRequest, Record<string, never>> = async (input, ctx) => {
  const u = await requireRec<UserRecord>(ctx, iamKeys.user(input.UserName!), 'user', input.UserName!);
  await updateRec(ctx, u, { ...u.value, tags: mergeTags(u.value.tags, input.Tags as UserRecord['tags']) });
  return {};
};
export const untagUser: Handler<I.UntagUserRequest, Record<string, never>> = async (input, ctx) => {
  const u = await requireRec<UserRecord>(ctx, iamKeys.user(input.UserName!), 'user', input.UserName!);
  await updateRec(ctx, u, { ...u.value, tags: u.value.tags.filter((t) => !input.TagKeys?.includes(t.Key)) });
  return {};
};
export const listUserTags: Handler<I.ListUserTagsRequest, I.ListUserTagsResponse> = async (input, ctx) => {
  const u = await requireRec<UserRecord>(ctx, iamKeys.user(input.UserName!), 'user', input.UserName!);
  return { Tags: [...u.value.tags], IsTruncated: false };
};

// ---- groups -----------------------------------------------------------------------------------

export const createGroup: Handler<I.CreateGroupRequest, I.CreateGroupResponse> = async (input, ctx) => {
  const path = normPath(input.Path);
  const g: GroupRecord = { groupName: input.GroupName!, groupId: uniqueId('AGPA'), arn: iamArn(ctx.accountId, 'group', path, input.GroupName!), path, createDate: ctx.now.getTime(), attached: [], inline: {} };
  await createRec(ctx, iamKeys.group(g.groupName), g, `Group with name ${g.groupName}`);
  return { Group: groupView(g) };
};

export const getGroup: Handler<I.GetGroupRequest, I.GetGroupResponse> = async (input, ctx) => {
  const g = await requireRec<GroupRecord>(ctx, iamKeys.group(input.GroupName!), 'group', input.GroupName!);
  const members = (await listRecs<UserRecord>(ctx, '/iam/users/')).filter((u) => u.groups.includes(g.value.groupName));
  return { Group: groupView(g.value), Users: members.map(userView), IsTruncated: false };
};

export const listGroups: Handler<I.ListGroupsRequest, I.ListGroupsResponse> = async (input, ctx) => {
  const all = (await listRecs<GroupRecord>(ctx, '/iam/groups/')).filter((g) => g.path.startsWith(input.PathPrefix ?? '/'));
  const p = page(all, (g) => g.groupName, input);
  return { Groups: p.items.map(groupView), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
};

export const deleteGroup: Handler<I.DeleteGroupRequest, Record<string, never>> = async (input, ctx) => {
  const g = await requireRec<GroupRecord>(ctx, iamKeys.group(input.GroupName!), 'group', input.GroupName!);
  if (g.value.attached.length || Object.keys(g.value.inline).length) throw new ApiError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
  const members = (await listRecs<UserRecord>(ctx, '/iam/users/')).filter((u) => u.groups.includes(g.value.groupName));
  if (members.length) throw new ApiError('DeleteConflict', 'Cannot delete entity, must remove users from group first.');
  await deleteRec(ctx, g);
  return {};
};

export const addUserToGroup: Handler<I.AddUserToGroupRequest, Record<string, never>> = async (input, ctx) => {
  await requireRec<GroupRecord>(ctx, iamKeys.group(input.GroupName!), 'group', input.GroupName!);
  const u = await requireRec<UserRecord>(ctx, iamKeys.user(input.UserName!), 'user', input.UserName!);
  if (!u.value.groups.includes(input.GroupName!)) await updateRec(ctx, u, { ...u.value, groups: [...u.value.groups, input.GroupName!] });
  return {};
};

export const removeUserFromGroup: Handler<I.RemoveUserFromGroupRequest, Record<string, never>> = async (input, ctx) => {
  await requireRec<GroupRecord>(ctx, iamKeys.group(input.GroupName!), 'group', input.GroupName!);
  const u = await requireRec<UserRecord>(ctx, iamKeys.user(input.UserName!), 'user', input.UserName!);
  await updateRec(ctx, u, { ...u.value, groups: u.value.groups.filter((g) => g !== input.GroupName) });
  return {};
};

export const listGroupsForUser: Handler<I.ListGroupsForUserRequest, I.ListGroupsForUserResponse> = async (input, ctx) => {
  const u = await requireRec<UserRecord>(ctx, iamKeys.user(input.UserName!), 'user', input.UserName!);
  const groups = (await listRecs<GroupRecord>(ctx, '/iam/groups/')).filter((g) => u.value.groups.includes(g.groupName));
  return { Groups: groups.map(groupView), IsTruncated: false };
};

// ---- roles ------------------------------------------------------------------------------------

export const createRole: Handler<I.CreateRoleRequest, I.CreateRoleResponse> = async (input, ctx) => {
  const path = normPath(input.Path);
  checkPolicyDocument(input.AssumeRolePolicyDocument!, 'trust');
  const max = input.MaxSessionDuration ?? 3600;
  const role: RoleRecord = {
    roleName: input.RoleName!, roleId: uniqueId('AROA'), arn: iamArn(ctx.accountId, 'role', path, input.RoleName!), path, createDate: ctx.now.getTime(),
    assumeRolePolicyDocument: input.AssumeRolePolicyDocument!, ...(input.Description !== undefined ? { description: input.Description } : {}),
    maxSessionDuration: max, tags: mergeTags([], input.Tags as RoleRecord['tags']), attached: [], inline: {},
  };
  await createRec(ctx, iamKeys.role(role.roleName), role, `Role with name ${role.roleName}`);
  return { Role: roleView(role) };
};

export const getRole: Handler<I.GetRoleRequest, I.GetRoleResponse> = async (input, ctx) => {
  const r = await requireRec<RoleRecord>(ctx, iamKeys.role(input.RoleName!), 'role', input.RoleName!);
  return { Role: roleView(r.value) };
};

export const listRoles: Handler<I.ListRolesRequest, I.ListRolesResponse> = async (input, ctx) => {
  const all = (await listRecs<RoleRecord>(ctx, '/iam/roles/')).filter((r) => r.path.startsWith(input.PathPrefix ?? '/'));
  const p = page(all, (r) => r.roleName, input);
  return { Roles: p.items.map(roleView), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
};

export const deleteRole: Handler<I.DeleteRoleRequest, Record<string, never>> = async (input, ctx) => {
  const r = await requireRec<RoleRecord>(ctx, iamKeys.role(input.RoleName!), 'role', input.RoleName!);
  if (r.value.attached.length) throw new ApiError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
  if (Object.keys(r.value.inline).length) throw new ApiError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
  await deleteRec(ctx, r);
  return {};
};

export const updateAssumeRolePolicy: Handler<I.UpdateAssumeRolePolicyRequest, Record<string, never>> = async (input, ctx) => {
  const r = await requireRec<RoleRecord>(ctx, iamKeys.role(input.RoleName!), 'role', input.RoleName!);
  checkPolicyDocument(input.PolicyDocument!, 'trust');
  await updateRec(ctx, r, { ...r.value, assumeRolePolicyDocument: input.PolicyDocument! });
  return {};
};

export const updateRole: Handler<I.UpdateRoleRequest, I.UpdateRoleResponse> = async (input, ctx) => {
  const r = await requireRec<RoleRecord>(ctx, iamKeys.role(input.RoleName!), 'role', input.RoleName!);
  await updateRec(ctx, r, { ...r.value, ...(input.Description !== undefined ? { description: input.Description } : {}), maxSessionDuration: input.MaxSessionDuration ?? r.value.maxSessionDuration });
  return {};
};

export const tagRole: Handler<I.TagRoleRequest, Record<string, never>> = async (input, ctx) => {
  const r = await requireRec<RoleRecord>(ctx, iamKeys.role(input.RoleName!), 'role', input.RoleName!);
  await updateRec(ctx, r, { ...r.value, tags: mergeTags(r.value.tags, input.Tags as RoleRecord['tags']) });
  return {};
};
export const untagRole: Handler<I.UntagRoleRequest, Record<string, never>> = async (input, ctx) => {
  const r = await requireRec<RoleRecord>(ctx, iamKeys.role(input.RoleName!), 'role', input.RoleName!);
  await updateRec(ctx, r, { ...r.value, tags: r.value.tags.filter((t) => !input.TagKeys?.includes(t.Key)) });
  return {};
};
export const listRoleTags: Handler<I.ListRoleTagsRequest, I.ListRoleTagsResponse> = async (input, ctx) => {
  const r = await requireRec<RoleRecord>(ctx, iamKeys.role(input.RoleName!), 'role', input.RoleName!);
  return { Tags: [...r.value.tags], IsTruncated: false };
};
