/** Access keys of IAM users: create (the secret is shown once), list, activate/deactivate, delete, last used. */
import type * as I from '@aws-sdk/client-iam';
import { ApiError } from '../../model/errors.js';
import { newAccessKey, type AccessKey } from '../../iam/access-keys.js';
import { iamKeys, type UserRecord } from '../../iam/records.js';
import type { Handler, RequestContext } from '../types.js';
import { createRec, getRec, listRecs, requireRec, toDate, updateRec } from './common.js';

const MAX_KEYS = 2;

function userNameOf(ctx: RequestContext, given: string | undefined): string {
  const name = given ?? ctx.principal.userName;
  if (!name) throw new ApiError('ValidationError', 'Must specify userName when calling with non-User credentials');
  return name;
}

async function requireKey(ctx: RequestContext, id: string, userName: string) {
  const k = await getRec<AccessKey>(ctx, iamKeys.accessKey(id));
  if (!k || k.value.userName !== userName) throw new ApiError('NoSuchEntity', `The Access Key with id ${id} cannot be found.`);
  return k;
}

export const createAccessKey: Handler<I.CreateAccessKeyRequest, I.CreateAccessKeyResponse> = async (input, ctx) => {
  const userName = userNameOf(ctx, input.UserName);
  const user = await getRec<UserRecord>(ctx, iamKeys.user(userName));
  if (!user && userName !== 'admin') throw new ApiError('NoSuchEntity', `The user with name ${userName} cannot be found.`);
  const existing = (await listRecs<AccessKey>(ctx, '/iam/access-keys/')).filter((k) => k.userName === userName);
  if (existing.length >= MAX_KEYS) throw new ApiError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS}`);
  const key = newAccessKey(userName, ctx.now);
  await createRec(ctx, iamKeys.accessKey(key.accessKeyId), key, `Access key ${key.accessKeyId}`);
  return { AccessKey: { UserName: userName, AccessKeyId: key.accessKeyId, Status: 'Active', SecretAccessKey: key.secretAccessKey, CreateDate: toDate(key.createDate) } };
};

export const listAccessKeys: Handler<I.ListAccessKeysRequest, I.ListAccessKeysResponse> = async (input, ctx) => {
  const userName = userNameOf(ctx, input.UserName);
  if (userName !== 'admin') await requireRec<UserRecord>(ctx, iamKeys.user(userName), 'user', userName);
  const keys = (await listRecs<AccessKey>(ctx, '/iam/access-keys/')).filter((k) => k.userName === userName);
  return { AccessKeyMetadata: keys.map((k) => ({ UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: toDate(k.createDate) })), IsTruncated: false };
};

export const updateAccessKey: Handler<I.UpdateAccessKeyRequest, Record<string, never>> = async (input, ctx) => {
  const k = await requireKey(ctx, input.AccessKeyId!, userNameOf(ctx, input.UserName));
  await updateRec(ctx, k, { ...k.value, status: input.Status! });
  return {};
};

export const deleteAccessKey: Handler<I.DeleteAccessKeyRequest, Record<string, never>> = async (input, ctx) => {
  const k = await requireKey(ctx, input.AccessKeyId!, userNameOf(ctx, input.UserName));
  const r = await ctx.store.txn({ compare: [{ key: k.key, target: 'version', op: '==', value: k.version }], success: [{ type: 'delete', key: k.key }] });
  if (!r.succeeded) throw new ApiError('ServiceFailure', 'The entity was modified concurrently; retry the request.');
  return {};
};

export const getAccessKeyLastUsed: Handler<I.GetAccessKeyLastUsedRequest, I.GetAccessKeyLastUsedResponse> = async (input, ctx) => {
  const k = await getRec<AccessKey>(ctx, iamKeys.accessKey(input.AccessKeyId!));
  if (!k) throw new ApiError('NoSuchEntity', `The Access Key with id ${input.AccessKeyId} cannot be found.`);
  const used = ctx.iam.lastUsed.get(k.value.accessKeyId);
  return {
    UserName: k.value.userName,
    AccessKeyLastUsed: used ? { LastUsedDate: toDate(used.at), ServiceName: used.service, Region: used.region } : { ServiceName: 'N/A', Region: 'N/A' },
  };
};
