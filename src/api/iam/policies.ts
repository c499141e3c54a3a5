/**
 * Managed policies (customer managed in the store, AWS managed as constants), their versions (at most
 * five, one default), attachment to users/groups/roles, and inline policies.
 */
import type * as I from '@aws-sdk/client-iam';
import { ApiError } from '../../model/errors.js';
import { AWS_MANAGED_POLICIES } from '../../iam/managed-policies.js';
import { iamArn, iamKeys, type ManagedPolicyRecord, type PolicyHolder } from '../../iam/records.js';
import type { Handler, RequestContext } from '../types.js';
import { checkPolicyDocument, createRec, deleteRec, getRec, listRecs, mergeTags, nameFromArn, normPath, page, requireRec, toDate, uniqueId, updateRec, type Rec } from './common.js';

const MAX_VERSIONS = 5;

function attachmentCount(ctx: RequestContext, arn: string): number {
  let n = 0;
  for (const m of [ctx.iam.users, ctx.iam.groups, ctx.iam.roles] as Map<string, PolicyHolder>[]) for (const h of m.values()) if (h.attached.includes(arn)) n++;
  return n;
}

function policyView(ctx: RequestContext, p: ManagedPolicyRecord): I.Policy {
  return {
    PolicyName: p.policyName, PolicyId: p.policyId, Arn: p.arn, Path: p.path, DefaultVersionId: p.defaultVersionId,
    AttachmentCount: attachmentCount(ctx, p.arn), PermissionsBoundaryUsageCount: 0, IsAttachable: true,
    ...(p.description !== undefined ? { Description: p.description } : {}), CreateDate: toDate(p.createDate), UpdateDate: toDate(p.updateDate),
    ...(p.tags.length ? { Tags: [...p.tags] } : {}),
  };
}

const AWS_EPOCH = Date.UTC(2015, 1, 6, 18, 39, 46);
function awsPolicyView(ctx: RequestContext, arn: string): I.Policy | undefined {
  const p = AWS_MANAGED_POLICIES.get(arn);
  if (!p) return undefined;
  return {
    PolicyName: p.name, PolicyId: 'ANPA' + Buffer.from(p.name).toString('hex').toUpperCase().slice(0, 17).padEnd(17, 'Q'), Arn: p.arn, Path: p.path, DefaultVersionId: p.versionId,
    AttachmentCount: attachmentCount(ctx, p.arn), PermissionsBoundaryUsageCount: 0, IsAttachable: true, Description: p.description,
    CreateDate: toDate(AWS_EPOCH), UpdateDate: toDate(AWS_EPOCH),
  };
}

async function requirePolicy(ctx: RequestContext, arn: string): Promise<Rec<ManagedPolicyRecord>> {
  const name = nameFromArn(ctx, arn, 'policy');
  const r = name === undefined ? undefined : await getRec<ManagedPolicyRecord>(ctx, iamKeys.policy(name));
  if (!r || r.value.arn !== arn) {
    if (AWS_MANAGED_POLICIES.has(arn)) throw new ApiError('UnmodifiableEntity', `Cannot modify the AWS managed policy ${arn}.`);
    throw new ApiError('NoSuchEntity', `Policy ${arn} was not found.`);
  }
  return r;
}

export const createPolicy: Handler<I.CreatePolicyRequest, I.CreatePolicyResponse> = async (input, ctx) => {
  const path = normPath(input.Path);
  checkPolicyDocument(input.PolicyDocument!);
  const now = ctx.now.getTime();
  const p: ManagedPolicyRecord = {
    policyName: input.PolicyName!, policyId: uniqueId('ANPA'), arn: iamArn(ctx.accountId, 'policy', path, input.PolicyName!), path,
    ...(input.Description !== undefined ? { description: input.Description } : {}), createDate: now, updateDate: now, defaultVersionId: 'v1',
    versions: [{ versionId: 'v1', document: input.PolicyDocument!, createDate: now }], nextVersion: 2, tags: mergeTags([], input.Tags as ManagedPolicyRecord['tags']),
  };
  await createRec(ctx, iamKeys.policy(p.policyName), p, `A policy called ${p.policyName}`);
  return { Policy: policyView(ctx, p) };
};

export const getPolicy: Handler<I.GetPolicyRequest, I.GetPolicyResponse> = async (input, ctx) => {
  const aws = awsPolicyView(ctx, input.PolicyArn!);
  if (aws) return { Policy: aws };
  const p = await requirePolicy(ctx, input.PolicyArn!);
  return { Policy: policyView(ctx, p.value) };
};

export const getPolicyVersion: Handler<I.GetPolicyVersionRequest, I.GetPolicyVersionResponse> = async (input, ctx) => {
  const aws = AWS_MANAGED_POLICIES.get(input.PolicyArn!);
  if (aws) {
    if (input.VersionId !== aws.versionId) throw new ApiError('NoSuchEntity', `Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
    return { PolicyVersion: { Document: encodeURIComponent(aws.document), VersionId: aws.versionId, IsDefaultVersion: true, CreateDate: toDate(AWS_EPOCH) } };
  }
  const p = await requirePolicy(ctx, input.PolicyArn!);
  const v = p.value.versions.find((x) => x.versionId === input.VersionId);
  if (!v) throw new ApiError('NoSuchEntity', `Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
  return { PolicyVersion: { Document: encodeURIComponent(v.document), VersionId: v.versionId, IsDefaultVersion: v.versionId === p.value.defaultVersionId, CreateDate: toDate(v.createDate) } };
};

export const listPolicies: Handler<I.ListPoliciesRequest, I.ListPoliciesResponse> = async (input, ctx) => {
  const scope = input.Scope ?? 'All';
  const local = scope === 'AWS' ? [] : (await listRecs<ManagedPolicyRecord>(ctx, '/iam/policies/')).map((p) => policyView(ctx, p));
  const aws = scope === 'Local' ? [] : [...AWS_MANAGED_POLICIES.keys()].map((a) => awsPolicyView(ctx, a)!);
  let all = [...local, ...aws].filter((p) => p.Path!.startsWith(input.PathPrefix ?? '/'));
  if (input.OnlyAttached) all = all.filter((p) => (p.AttachmentCount ?? 0) > 0);
  const pg = page(all, (p) => p.PolicyName!, input);
  return { Policies: pg.items, IsTruncated: pg.IsTruncated, ...(pg.Marker ? { Marker: pg.Marker } : {}) };
};

export const deletePolicy: Handler<I.DeletePolicyRequest, Record<string, never>> = async (input, ctx) => {
  const p = await requirePolicy(ctx, input.PolicyArn!);
  if (attachmentCount(ctx, p.value.arn) > 0) throw new ApiError('DeleteConflict', 'Cannot delete a policy attached to entities.');
  if (p.value.versions.length > 1) throw new ApiError('DeleteConflict', "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
  await deleteRec(ctx, p);
  return {};
};

export const createPolicyVersion: Handler<I.CreatePolicyVersionRequest, I.CreatePolicyVersionResponse> = async (input, ctx) => {
  const p = await requirePolicy(ctx, input.PolicyArn!);
  checkPolicyDocument(input.PolicyDocument!);
  if (p.value.versions.length >= MAX_VERSIONS) throw new ApiError('LimitExceeded', `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
  const v = { versionId: `v${p.value.nextVersion}`, document: input.PolicyDocument!, createDate: ctx.now.getTime() };
  await updateRec(ctx, p, { ...p.value, versions: [...p.value.versions, v], nextVersion: p.value.nextVersion + 1, updateDate: v.createDate, defaultVersionId: input.SetAsDefault ? v.versionId : p.value.defaultVersionId });
  return { PolicyVersion: { VersionId: v.versionId, IsDefaultVersion: !!input.SetAsDefault, CreateDate: toDate(v.createDate) } };
};

export const listPolicyVersions: Handler<I.ListPolicyVersionsRequest, I.ListPolicyVersionsResponse> = async (input, ctx) => {
  const aws = AWS_MANAGED_POLICIES.get(input.PolicyArn!);
  if (aws) return { Versions: [{ VersionId: aws.versionId, IsDefaultVersion: true, CreateDate: toDate(AWS_EPOCH) }], IsTruncated: false };
  const p = await requirePolicy(ctx, input.PolicyArn!);
  return { Versions: [...p.value.versions].reverse().map((v) => ({ VersionId: v.versionId, IsDefaultVersion: v.versionId === p.value.defaultVersionId, CreateDate: toDate(v.createDate) })), IsTruncated: false };
};

export const deletePolicyVersion: Handler<I.DeletePolicyVersionRequest, Record<string, never>> = async (input, ctx) => {
  const p = await requirePolicy(ctx, input.PolicyArn!);
  if (!p.value.versions.some((v) => v.versionId === input.VersionId)) throw new ApiError('NoSuchEntity', `Policy ${input.PolicyArn} version ${input.VersionId} does not exist.`);
  if (input.VersionId === p.value.defaultVersionId) throw new ApiError('DeleteConflict', 'Cannot delete the default version of a policy.');
  await updateRec(ctx, p, { ...p.value, versions: p.value.versions.filter((v) => v.versionId !== input.VersionId) });
  return {};
};

export const setDefaultPolicyVersion: Handler<I.SetDefaultPolicyVersionRequest, Record<string, never>> = async (input, ctx) => {
  const p = await requirePolicy(ctx, input.PolicyArn!);
  if (!p.value.versions.some((v) => v.versionId === input.VersionId)) throw new ApiError('NoSuchEntity', `Policy ${input.PolicyArn} version ${input.VersionId} does not exist.`);
  await updateRec(ctx, p, { ...p.value, defaultVersionId: input.VersionId!, updateDate: ctx.now.getTime() });
  return {};
};

// ---- attachments and inline policies, for users, groups and roles ------------------------------

type Kind = 'user' | 'group' | 'role';
const KEY: Record<Kind, (n: string) => string> = { user: iamKeys.user, group: iamKeys.group, role: iamKeys.role };
const NAME_PARAM: Record<Kind, 'UserName' | 'GroupName' | 'RoleName'> = { user: 'UserName', group: 'GroupName', role: 'RoleName' };

const holder = (ctx: RequestContext, kind: Kind, name: string) => requireRec<PolicyHolder>(ctx, KEY[kind](name), kind, name);

function attachable(ctx: RequestContext, arn: string): boolean {
  if (AWS_MANAGED_POLICIES.has(arn)) return true;
  const name = nameFromArn(ctx, arn, 'policy');
  return name !== undefined && ctx.iam.policies.get(name)?.arn === arn;
}

function attach(kind: Kind): Handler {
  return async (input: Record<string, string>, ctx) => {
    const h = await holder(ctx, kind, input[NAME_PARAM[kind]]);
    const arn = input.PolicyArn;
    // The directory may lag a just-created policy by a watch delivery: fall back to the store.
    const name = nameFromArn(ctx, arn, 'policy');
    const exists = attachable(ctx, arn) || (name !== undefined && (await getRec<ManagedPolicyRecord>(ctx, iamKeys.policy(name)))?.value.arn === arn);
    if (!exists) throw new ApiError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
    if (!h.value.attached.includes(arn)) {
      if (h.value.attached.length >= 10) throw new ApiError('LimitExceeded', `Cannot exceed quota for PoliciesPer${kind === 'user' ? 'User' : kind === 'group' ? 'Group' : 'Role'}: 10.`);
      await updateRec(ctx, h, { ...h.value, attached: [...h.value.attached, arn] });
    }
    return {};
  };
}

function detach(kind: Kind): Handler {
  return async (input: Record<string, string>, ctx) => {
    const h = await holder(ctx, kind, input[NAME_PARAM[kind]]);
    if (!h.value.attached.includes(input.PolicyArn)) throw new ApiError('NoSuchEntity', `Policy ${input.PolicyArn} was not found.`);
    await updateRec(ctx, h, { ...h.value, attached: h.value.attached.filter((a) => a !== input.PolicyArn) });
    return {};
  };
}

function listAttached(kind: Kind): Handler {
  return async (input: Record<string, string>, ctx) => {
    const h = await holder(ctx, kind, input[NAME_PARAM[kind]]);
    const AttachedPolicies = h.value.attached.map((arn) => ({ PolicyArn: arn, PolicyName: arn.slice(arn.lastIndexOf('/') + 1) }));
    return { AttachedPolicies, IsTruncated: false };
  };
}

function putInline(kind: Kind): Handler {
  return async (input: Record<string, string>, ctx) => {
    const h = await holder(ctx, kind, input[NAME_PARAM[kind]]);
    checkPolicyDocument(input.PolicyDocument);
    await updateRec(ctx, h, { ...h.value, inline: { ...h.value.inline, [input.PolicyName]: input.PolicyDocument } });
    return {};
  };
}

function getInline(kind: Kind): Handler {
  return async (input: Record<string, string>, ctx) => {
    const name = input[NAME_PARAM[kind]];
    const h = await holder(ctx, kind, name);
    const d = h.value.inline[input.PolicyName];
    if (d === undefined) throw new ApiError('NoSuchEntity', `The ${kind} policy with name ${input.PolicyName} cannot be found.`);
    return { [NAME_PARAM[kind]]: name, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(d) };
  };
}

function deleteInline(kind: Kind): Handler {
  return async (input: Record<string, string>, ctx) => {
    const h = await holder(ctx, kind, input[NAME_PARAM[kind]]);
    if (h.value.inline[input.PolicyName] === undefined) throw new ApiError('NoSuchEntity', `The ${kind} policy with name ${input.PolicyName} cannot be found.`);
    const inline = { ...h.value.inline };
    delete inline[input.PolicyName];
    await updateRec(ctx, h, { ...h.value, inline });
    return {};
  };
}

function listInline(kind: Kind): Handler {
  return async (input: Record<string, string>, ctx) => {
    const h = await holder(ctx, kind, input[NAME_PARAM[kind]]);
    return { PolicyNames: Object.keys(h.value.inline).sort(), IsTruncated: false };
  };
}

export const attachmentHandlers: Record<string, Handler> = {};
for (const [kind, Word] of [['user', 'User'], ['group', 'Group'], ['role', 'Role']] as const) {
  attachmentHandlers[`Attach${Word}Policy`] = attach(kind);
  attachmentHandlers[`Detach${Word}Policy`] = detach(kind);
  attachmentHandlers[`ListAttached${Word}Policies`] = listAttached(kind);
  attachmentHandlers[`Put${Word}Policy`] = putInline(kind);
  attachmentHandlers[`Get${Word}Policy`] = getInline(kind);
  attachmentHandlers[`Delete${Word}Policy`] = deleteInline(kind);
  attachmentHandlers[`List${Word}Policies`] = listInline(kind);
}
