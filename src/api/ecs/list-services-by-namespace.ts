import type { ListServicesByNamespaceRequest, ListServicesByNamespaceResponse } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../model/errors.js';
import type { Handler } from '../types.js';

/**
 * Services in a Service Connect / Cloud Map namespace. Wharf has no namespaces yet (no Cloud Map), so
 * every namespace is unknown and ECS's own error says so, rather than an empty list that would look
 * like a namespace with no services.
 */
export const listServicesByNamespace: Handler<ListServicesByNamespaceRequest, ListServicesByNamespaceResponse> = async (input) => {
  if (!input.namespace) throw invalidParameter('namespace is required.');
  throw new ApiError('NamespaceNotFoundException', `The namespace ${input.namespace} was not found: Wharf does not provide Service Connect or Cloud Map namespaces yet.`);
};
