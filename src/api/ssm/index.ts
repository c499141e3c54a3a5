/**
 * AWS Systems Manager Parameter Store (awsJson1_1, AmazonSSM): String, StringList and SecureString
 * parameters with their version history, hierarchies (GetParametersByPath), name:version selectors.
 * Every value is sealed at rest (iam/secret-box.ts); a SecureString read without WithDecryption
 * returns the ciphertext, as AWS does, never the value.
 */
import type * as SSM from '@aws-sdk/client-ssm';
import ssmModel from '../../model/aws/ssm.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import { ApiError } from '../../model/errors.js';
import { parameterArn, parameterNameOf, sealContext, secretKeys, type ParameterRecord, type ParameterVersion } from '../../model/secrets.js';
import { findParameter, openParameter } from '../../iam/secret-values.js';
import type { Authorizer, Handler, RequestContext, ServiceDefinition } from '../types.js';
import { secretBoxOf as box } from '../../iam/secret-values.js';

const MAX_VERSIONS = 100;
const notFound = (name: string) => new ApiError('ParameterNotFound', `Parameter ${name} not found.`);

/** `name`, `name:3` (a version) or `name:label`. */
function selector(ref: string): { name: string; version?: number; label?: string } {
  const plain = parameterNameOf(ref);
  const m = /^(.*[^:]):([^:/]+)$/.exec(plain);
  if (!m || plain.startsWith('arn:')) return { name: plain };
  return /^\d+$/.test(m[2]) ? { name: m[1], version: Number(m[2]) } : { name: m[1], label: m[2] };
}

function view(ctx: RequestContext, rec: ParameterRecord, v: ParameterVersion, decrypt: boolean, sel?: string): SSM.Parameter {
  const value = v.type === 'SecureString' && !decrypt ? v.sealed.data : openParameter(box(ctx), rec, v);
  return {
    Name: rec.name, Type: v.type, Value: value, Version: v.version, LastModifiedDate: new Date(v.lastModifiedDate),
    ARN: parameterArn(ctx.region, ctx.accountId, rec.name), DataType: v.dataType, ...(sel ? { Selector: sel } : {}),
  };
}

async function resolve(ctx: RequestContext, ref: string): Promise<{ rec: ParameterRecord; v: ParameterVersion; sel?: string } | undefined> {
  const s = selector(ref);
  const f = await findParameter(ctx.store, s.name);
  if (!f) return undefined;
  const h = f.value.history;
  const v = s.version !== undefined ? h.find((x) => x.version === s.version) : s.label !== undefined ? h.find((x) => x.labels.includes(s.label!)) : h[h.length - 1];
  if (!v) {
    if (s.version !== undefined) throw new ApiError('ParameterVersionNotFound', `Systems Manager could not find version ${s.version} of ${s.name}. Verify the version and try again.`);
    return undefined;
  }
  return { rec: f.value, v, ...(s.version !== undefined ? { sel: `:${s.version}` } : s.label !== undefined ? { sel: `:${s.label}` } : {}) };
}

const putParameter: Handler<SSM.PutParameterRequest, SSM.PutParameterResult> = async (input, ctx) => {
  const name = input.Name!;
  if (name.includes('//') || (name.startsWith('/') && name.split('/').length > 16)) throw new ApiError('ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`);
  if (/^\/?(aws|ssm)/i.test(name)) throw new ApiError('ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`);
  if (input.Overwrite && input.Tags?.length) throw new ApiError('ValidationException', "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
  if (input.AllowedPattern && !new RegExp(input.AllowedPattern).test(input.Value!)) {
    throw new ApiError('ValidationException', `Parameter value, cannot be validated against allowedPattern: ${input.AllowedPattern}`);
  }
  const key = secretKeys.parameter(name);
  const f = await findParameter(ctx.store, name);
  if (f && !input.Overwrite) throw new ApiError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
  const prev = f?.value.history[f.value.history.length - 1];
  const type = (input.Type ?? prev?.type) as ParameterVersion['type'] | undefined;
  if (!type) throw new ApiError('ValidationException', 'A parameter type is required when you create a parameter.');
  const version = (prev?.version ?? 0) + 1;
  const v: ParameterVersion = {
    version, type, sealed: box(ctx).seal(input.Value!, sealContext.parameter(name, version)), lastModifiedDate: ctx.now.getTime(),
    lastModifiedUser: ctx.principal.arn, ...(input.Description !== undefined ? { description: input.Description } : prev?.description !== undefined ? { description: prev.description } : {}),
    ...(input.KeyId !== undefined ? { keyId: input.KeyId } : type === 'SecureString' ? { keyId: 'alias/aws/ssm' } : {}), labels: [], dataType: input.DataType ?? 'text',
    ...(input.AllowedPattern !== undefined ? { allowedPattern: input.AllowedPattern } : {}),
  };
  let history = [...(f?.value.history ?? []), v];
  if (history.length > MAX_VERSIONS) {
    if (history[0].labels.length) throw new ApiError('ParameterMaxVersionLimitExceeded', `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version 1, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`);
    history = history.slice(1);
  }
  const rec: ParameterRecord = { name, tags: f?.value.tags ?? (input.Tags ?? []).map((t) => ({ Key: t.Key!, Value: t.Value! })), history };
  const r = await ctx.store.txn({
    compare: [f ? { key, target: 'version', op: '==', value: f.version } : { key, target: 'createRevision', op: '==', value: 0 }],
    success: [{ type: 'put', key, value: JSON.stringify(rec) }],
  });
  if (!r.succeeded) throw f ? new ApiError('InternalServerError', 'The parameter was changed concurrently; retry the request.') : new ApiError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
  return { Version: version, Tier: 'Standard' };
};

const getParameter: Handler<SSM.GetParameterRequest, SSM.GetParameterResult> = async (input, ctx) => {
  const r = await resolve(ctx, input.Name!);
  if (!r) throw notFound(input.Name!);
  return { Parameter: view(ctx, r.rec, r.v, !!input.WithDecryption, r.sel) };
};

const getParameters: Handler<SSM.GetParametersRequest, SSM.GetParametersResult> = async (input, ctx) => {
  const Parameters: SSM.Parameter[] = [];
  const InvalidParameters: string[] = [];
  for (const n of input.Names ?? []) {
    const r = await resolve(ctx, n).catch(() => undefined);
    if (r) Parameters.push(view(ctx, r.rec, r.v, !!input.WithDecryption, r.sel));
    else InvalidParameters.push(n);
  }
  return { Parameters, InvalidParameters };
};

const getParametersByPath: Handler<SSM.GetParametersByPathRequest, SSM.GetParametersByPathResult> = async (input, ctx) => {
  const path = input.Path!;
  if (!path.startsWith('/')) throw new ApiError('ValidationException', 'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".');
  const prefix = path.endsWith('/') ? path : path + '/';
  const all = (await ctx.store.range(secretKeys.parameter(prefix))).kvs.map((kv) => JSON.parse(kv.value) as ParameterRecord)
    .filter((p) => input.Recursive || !p.name.slice(prefix.length).includes('/'));
  const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString()) : 0;
  const max = input.MaxResults ?? 10;
  const page = all.slice(start, start + max);
  return {
    Parameters: page.map((p) => view(ctx, p, p.history[p.history.length - 1], !!input.WithDecryption)),
    ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max)).toString('base64') } : {}),
  };
};

async function remove(ctx: RequestContext, name: string): Promise<boolean> {
  const f = await findParameter(ctx.store, name);
  if (!f) return false;
  const r = await ctx.store.txn({ compare: [{ key: f.key, target: 'version', op: '==', value: f.version }], success: [{ type: 'delete', key: f.key }] });
  if (!r.succeeded) throw new ApiError('InternalServerError', 'The parameter was changed concurrently; retry the request.');
  return true;
}

const deleteParameter: Handler<SSM.DeleteParameterRequest, Record<string, never>> = async (input, ctx) => {
  if (!(await remove(ctx, input.Name!))) throw notFound(input.Name!);
  return {};
};

const deleteParameters: Handler<SSM.DeleteParametersRequest, SSM.DeleteParametersResult> = async (input, ctx) => {
  const DeletedParameters: string[] = [];
  const InvalidParameters: string[] = [];
  for (const n of input.Names ?? []) ((await remove(ctx, n)) ? DeletedParameters : InvalidParameters).push(n);
  return { DeletedParameters, InvalidParameters };
};

function metadata(ctx: RequestContext, p: ParameterRecord): SSM.ParameterMetadata {
  const v = p.history[p.history.length - 1];
  return {
    Name: p.name, ARN: parameterArn(ctx.region, ctx.accountId, p.name), Type: v.type, ...(v.keyId ? { KeyId: v.keyId } : {}), LastModifiedDate: new Date(v.lastModifiedDate),
    LastModifiedUser: v.lastModifiedUser, ...(v.description !== undefined ? { Description: v.description } : {}), Version: v.version, Tier: 'Standard', Policies: [], DataType: v.dataType,
  };
}

const describeParameters: Handler<SSM.DescribeParametersRequest, SSM.DescribeParametersResult> = async (input, ctx) => {
  let all = (await ctx.store.range(secretKeys.parameters)).kvs.map((kv) => JSON.parse(kv.value) as ParameterRecord);
  for (const f of input.ParameterFilters ?? []) {
    const vals = f.Values ?? [];
    if (f.Key === 'Name') all = all.filter((p) => vals.some((v) => (f.Option === 'BeginsWith' ? p.name.startsWith(v) : f.Option === 'Contains' ? p.name.includes(v) : p.name === v)));
    else if (f.Key === 'Type') all = all.filter((p) => vals.includes(p.history[p.history.length - 1].type));
    else if (f.Key === 'Path') {
      const recursive = f.Option === 'Recursive';
      all = all.filter((p) => vals.some((v) => { const pre = v.endsWith('/') ? v : v + '/'; return p.name.startsWith(pre) && (recursive || !p.name.slice(pre.length).includes('/')); }));
    }
  }
  for (const f of input.Filters ?? []) {
    if (f.Key === 'Name') all = all.filter((p) => (f.Values ?? []).some((v) => p.name.startsWith(v)));
    if (f.Key === 'Type') all = all.filter((p) => (f.Values ?? []).includes(p.history[p.history.length - 1].type));
  }
  const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString()) : 0;
  const max = input.MaxResults ?? 50;
  return {
    Parameters: all.slice(start, start + max).map((p) => metadata(ctx, p)),
    ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max)).toString('base64') } : {}),
  };
};

const getParameterHistory: Handler<SSM.GetParameterHistoryRequest, SSM.GetParameterHistoryResult> = async (input, ctx) => {
  const f = await findParameter(ctx.store, input.Name!);
  if (!f) throw notFound(input.Name!);
  return {
    Parameters: f.value.history.map((v) => ({
      Name: f.value.name, Type: v.type, ...(v.keyId ? { KeyId: v.keyId } : {}), LastModifiedDate: new Date(v.lastModifiedDate), LastModifiedUser: v.lastModifiedUser,
      ...(v.description !== undefined ? { Description: v.description } : {}),
      Value: v.type === 'SecureString' && !input.WithDecryption ? v.sealed.data : openParameter(box(ctx), f.value, v),
      Version: v.version, Labels: [...v.labels], Tier: 'Standard', Policies: [], DataType: v.dataType,
    })),
  };
};

/** Parameter actions act on parameter/<name> (SAR); GetParametersByPath on the path, DescribeParameters on '*'. */
const authorize: Authorizer = (operation, input, ctx) => {
  const arn = (n: string) => parameterArn(ctx.region, ctx.accountId, selector(n).name);
  if (typeof input.Name === 'string') return [{ resource: arn(input.Name) }];
  if (typeof input.Path === 'string') return [{ resource: arn(input.Path.replace(/\/$/, '')) }];
  if (Array.isArray(input.Names)) return (input.Names as string[]).map((n) => ({ resource: arn(n) }));
  void operation;
  return [{ resource: '*' }];
};

export function ssmService(): ServiceDefinition {
  return {
    name: 'ssm',
    signingName: 'ssm',
    model: ssmModel as unknown as ServiceModel,
    validationError: 'ValidationException',
    serverError: 'InternalServerError',
    handlers: {
      PutParameter: putParameter, GetParameter: getParameter, GetParameters: getParameters, GetParametersByPath: getParametersByPath,
      DeleteParameter: deleteParameter, DeleteParameters: deleteParameters, DescribeParameters: describeParameters, GetParameterHistory: getParameterHistory,
    },
    authorize,
  };
}
