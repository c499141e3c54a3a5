import type { ListServicesByNamespaceRequest, ListServicesByNamespaceResponse, ServiceRegistry } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { ServiceRecord } from '../../model/ecs/records.js';
import { registryServiceId } from '../../model/ecs/service-registries.js';
import { idOf, sdKeys, type NamespaceRecord, type ServiceRecord as CloudMapService } from '../../model/servicediscovery/records.js';
import { getJson, listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { paginate } from './common.js';

/**
 * The ACTIVE services, in every cluster, whose serviceRegistries name a Cloud Map service of the
 * namespace (given by name or ARN). Service Connect, the other way a service joins a namespace, is not
 * served yet. An unknown namespace is ECS's NamespaceNotFoundException.
 */
export const listServicesByNamespace: Handler<ListServicesByNamespaceRequest, ListServicesByNamespaceResponse> = async (input, ctx) => {
  if (!input.namespace) throw invalidParameter('namespace is required.');
  const ref = input.namespace;
  let ns: NamespaceRecord | undefined;
  if (ref.startsWith('arn:')) {
    const id = idOf(ref, 'namespace');
    ns = id ? (await getJson<NamespaceRecord>(ctx.store, sdKeys.namespace(id)))?.value : undefined;
    if (ns && ns.arn !== ref) ns = undefined;
  } else {
    const id = await getJson<string>(ctx.store, sdKeys.namespaceName(ref));
    ns = id ? (await getJson<NamespaceRecord>(ctx.store, sdKeys.namespace(id.value)))?.value : undefined;
  }
  if (!ns) throw new ApiError('NamespaceNotFoundException', `The namespace ${ref} was not found.`);
  const inNamespace = new Set((await listJson<CloudMapService>(ctx.store, sdKeys.services())).filter((s) => s.namespaceId === ns.id).map((s) => s.id));
  const services = (await listJson<ServiceRecord>(ctx.store, keys.services()))
    .filter((s) => s.status === 'ACTIVE' && (s.serviceRegistries as ServiceRegistry[]).some((r) => inNamespace.has(registryServiceId(r.registryArn) ?? '')))
    .sort((a, b) => a.serviceArn.localeCompare(b.serviceArn));
  const page = paginate(services, (s) => s.serviceArn, input.maxResults, input.nextToken, 10);
  return { serviceArns: page.items.map((s) => s.serviceArn), nextToken: page.nextToken };
};
