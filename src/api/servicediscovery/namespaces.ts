/**
 * Namespaces: CreateHttpNamespace, CreatePrivateDnsNamespace (CreatePublicDnsNamespace refused),
 * GetNamespace, ListNamespaces, UpdateHttpNamespace, UpdatePrivateDnsNamespace, DeleteNamespace.
 *
 * Names are unique in a region (an index key compared absent on create). A create retried with the same
 * CreatorRequestId (the SDKs fill one in for every call) gets its first operation id back instead of
 * NamespaceAlreadyExists, which is how Cloud Map makes the call idempotent.
 */
import { randomBytes } from 'node:crypto';
import type {
  CreateHttpNamespaceRequest, CreateHttpNamespaceResponse, CreatePrivateDnsNamespaceRequest, CreatePrivateDnsNamespaceResponse,
  CreatePublicDnsNamespaceRequest, CreatePublicDnsNamespaceResponse, DeleteNamespaceRequest, DeleteNamespaceResponse, GetNamespaceRequest,
  GetNamespaceResponse, ListNamespacesRequest, ListNamespacesResponse, UpdateHttpNamespaceRequest, UpdateHttpNamespaceResponse,
  UpdatePrivateDnsNamespaceRequest, UpdatePrivateDnsNamespaceResponse, Tag,
} from '@aws-sdk/client-servicediscovery';
import { ApiError } from '../../model/errors.js';
import { ec2Keys } from '../../model/ec2/records.js';
import { namespaceHasServices } from '../../model/servicediscovery/errors.js';
import { hostedZoneId, namespaceArn, namespaceId, sdKeys, type NamespaceRecord, type NamespaceType } from '../../model/servicediscovery/records.js';
import { checkDnsNamespaceName, invalidInput } from '../../model/servicediscovery/validation.js';
import { newOperation } from '../../controllers/shared/cloud-map.js';
import { deleteOp, getJson, getKeyed, putOp, unchangedSince } from '../../store/json.js';
import type { Handler, RequestContext } from '../types.js';
import {
  allNamespaces, checkNoDuplicateFilters, checkTags, filterPredicate, findNamespace, mergeTags, namespaceSummary, namespaceView, page,
} from './common.js';

/**
 * The SOA TTL of a private DNS namespace created without one: 15 seconds, the value the Cloud Map
 * console proposes (it is the negative-caching TTL: how long a resolver remembers that a name does not
 * exist, so a short one lets a new service's name resolve soon after its first registration).
 */
const DEFAULT_SOA_TTL = 15;

interface NewNamespace {
  name: string;
  type: NamespaceType;
  vpc?: string;
  soaTtl?: number;
  description?: string;
  creatorRequestId?: string;
  tags?: Tag[];
}

async function createNamespace(ctx: RequestContext, n: NewNamespace): Promise<string> {
  const tags = mergeTags([], n.tags);
  checkTags(tags);
  const nameKey = sdKeys.namespaceName(n.name);
  for (let attempt = 0; attempt < 10; attempt++) {
    const taken = await getKeyed<string>(ctx.store, nameKey);
    if (taken) {
      const other = await getJson<NamespaceRecord>(ctx.store, sdKeys.namespace(taken.value));
      if (!other) continue;
      if (n.creatorRequestId !== undefined && other.value.creatorRequestId === n.creatorRequestId && other.value.type === n.type) return other.value.createOperationId;
      throw new ApiError('NamespaceAlreadyExists', `The namespace that you're trying to create already exists: ${other.value.name} (${other.value.id}).`, {
        ...(other.value.creatorRequestId !== undefined ? { CreatorRequestId: other.value.creatorRequestId } : {}), NamespaceId: other.value.id,
      });
    }
    const id = namespaceId(randomBytes(16));
    const now = ctx.now.getTime();
    const op = newOperation('CREATE_NAMESPACE', { NAMESPACE: id }, now, { namespaceId: id });
    const ns: NamespaceRecord = {
      id, arn: namespaceArn(ctx.region, ctx.accountId, id), name: n.name, type: n.type,
      ...(n.description !== undefined ? { description: n.description } : {}),
      ...(n.creatorRequestId !== undefined ? { creatorRequestId: n.creatorRequestId } : {}),
      ...(n.vpc !== undefined ? { vpc: n.vpc } : {}), httpName: n.name,
      ...(n.type !== 'HTTP' ? { hostedZoneId: hostedZoneId(randomBytes(20)), soaTtl: n.soaTtl ?? DEFAULT_SOA_TTL } : {}),
      createOperationId: op.id, serviceCount: 0, tags, createdAt: now, updatedAt: now,
    };
    const r = await ctx.store.txn({
      compare: [{ key: nameKey, target: 'createRevision', op: '==', value: 0 }],
      success: [putOp(sdKeys.namespace(id), ns), putOp(nameKey, id), putOp(sdKeys.operation(op.id), op)],
    });
    if (r.succeeded) return op.id;
  }
  throw new ApiError('DuplicateRequest', `Another request is creating a namespace named ${n.name}; retry.`);
}

export const createHttpNamespace: Handler<CreateHttpNamespaceRequest, CreateHttpNamespaceResponse> = async (input, ctx) => ({
  OperationId: await createNamespace(ctx, { name: input.Name!, type: 'HTTP', description: input.Description, creatorRequestId: input.CreatorRequestId, tags: input.Tags }),
});

export const createPrivateDnsNamespace: Handler<CreatePrivateDnsNamespaceRequest, CreatePrivateDnsNamespaceResponse> = async (input, ctx) => {
  const name = checkDnsNamespaceName(input.Name!);
  const vpc = input.Vpc!;
  if (!/^vpc-[0-9a-f]+$/.test(vpc) || !(await getJson(ctx.store, ec2Keys.vpc(vpc)))) throw invalidInput(`The VPC ${vpc} does not exist in ${ctx.region}.`);
  return {
    OperationId: await createNamespace(ctx, {
      name, type: 'DNS_PRIVATE', vpc, soaTtl: input.Properties?.DnsProperties?.SOA?.TTL, description: input.Description,
      creatorRequestId: input.CreatorRequestId, tags: input.Tags,
    }),
  };
};

/** Public DNS namespaces need a registered domain and Route 53's public name servers: refused, saying what to use instead. */
export const createPublicDnsNamespace: Handler<CreatePublicDnsNamespaceRequest, CreatePublicDnsNamespaceResponse> = async () => {
  throw invalidInput('Wharf does not serve public DNS namespaces (they need a registered domain and public name servers). Use CreatePrivateDnsNamespace for names your tasks resolve, or CreateHttpNamespace for API-only discovery.');
};

export const getNamespace: Handler<GetNamespaceRequest, GetNamespaceResponse> = async (input, ctx) => ({
  Namespace: namespaceView((await findNamespace(ctx.store, input.Id!)).value, ctx.accountId),
});

export const listNamespaces: Handler<ListNamespacesRequest, ListNamespacesResponse> = async (input, ctx) => {
  const filters = input.Filters ?? [];
  checkNoDuplicateFilters(filters);
  let items = await allNamespaces(ctx.store);
  for (const f of filters) {
    switch (f.Name) {
      case 'TYPE': { const p = filterPredicate(f, ['EQ', 'IN', 'BEGINS_WITH'], 'namespace'); items = items.filter((n) => p(n.type)); break; }
      case 'NAME': { const p = filterPredicate(f, ['EQ', 'BEGINS_WITH'], 'namespace'); items = items.filter((n) => p(n.name)); break; }
      case 'HTTP_NAME': { const p = filterPredicate(f, ['EQ', 'BEGINS_WITH'], 'namespace'); items = items.filter((n) => p(n.httpName)); break; }
      // Every namespace here is the caller's own: SELF keeps them all, OTHER_ACCOUNTS (shared with you) none.
      case 'RESOURCE_OWNER': { const p = filterPredicate(f, ['EQ'], 'namespace'); items = items.filter(() => p('SELF')); break; }
    }
  }
  items.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const p = page(items, input.MaxResults, input.NextToken);
  return { Namespaces: p.items.map((n) => namespaceSummary(n, ctx.accountId)), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

async function updateNamespace(ctx: RequestContext, id: string, type: NamespaceType, change: { description?: string; soaTtl?: number }): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await findNamespace(ctx.store, id);
    if (cur.value.type !== type) throw invalidInput(`Namespace ${cur.value.id} is a ${cur.value.type} namespace, not ${type}.`);
    const now = ctx.now.getTime();
    const ns: NamespaceRecord = {
      ...cur.value, ...(change.description !== undefined ? { description: change.description } : {}),
      ...(change.soaTtl !== undefined ? { soaTtl: change.soaTtl } : {}), updatedAt: now,
    };
    const op = newOperation('UPDATE_NAMESPACE', { NAMESPACE: ns.id }, now, { namespaceId: ns.id });
    const r = await ctx.store.txn({ compare: unchangedSince(cur), success: [putOp(cur.key, ns), putOp(sdKeys.operation(op.id), op)] });
    if (r.succeeded) return op.id;
  }
  throw new ApiError('DuplicateRequest', `Another request is updating namespace ${id}; retry.`);
}

export const updateHttpNamespace: Handler<UpdateHttpNamespaceRequest, UpdateHttpNamespaceResponse> = async (input, ctx) => ({
  OperationId: await updateNamespace(ctx, input.Id!, 'HTTP', { description: input.Namespace?.Description }),
});

export const updatePrivateDnsNamespace: Handler<UpdatePrivateDnsNamespaceRequest, UpdatePrivateDnsNamespaceResponse> = async (input, ctx) => ({
  OperationId: await updateNamespace(ctx, input.Id!, 'DNS_PRIVATE', {
    description: input.Namespace?.Description, soaTtl: input.Namespace?.Properties?.DnsProperties?.SOA?.TTL,
  }),
});

/** Refused while the namespace has services (ResourceInUse); its operations stay readable. */
export const deleteNamespace: Handler<DeleteNamespaceRequest, DeleteNamespaceResponse> = async (input, ctx) => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cur = await findNamespace(ctx.store, input.Id!);
    if (cur.value.serviceCount > 0) throw namespaceHasServices();
    const op = newOperation('DELETE_NAMESPACE', { NAMESPACE: cur.value.id }, ctx.now.getTime(), { namespaceId: cur.value.id });
    const r = await ctx.store.txn({
      compare: unchangedSince(cur),
      success: [deleteOp(cur.key), deleteOp(sdKeys.namespaceName(cur.value.name)), putOp(sdKeys.operation(op.id), op)],
    });
    if (r.succeeded) return { OperationId: op.id };
  }
  throw new ApiError('DuplicateRequest', `Another request is changing namespace ${input.Id}; retry.`);
};
