/**
 * Cloud Map's errors, worded after its API reference's descriptions of each (the service model's
 * documentation strings), with the id that was not found appended. ResourceInUse for a service with
 * instances is Cloud Map's own message, as clients report it.
 */
import { ApiError } from '../errors.js';

export const namespaceNotFound = (id: string) => new ApiError('NamespaceNotFound', `No namespace exists with the specified ID: ${id}`);
export const namespaceNameNotFound = (name: string) => new ApiError('NamespaceNotFound', `No namespace exists with the specified name: ${name}`);
export const serviceNotFound = (id: string) => new ApiError('ServiceNotFound', `No service exists with the specified ID: ${id}`);
export const serviceNameNotFound = (name: string, namespace: string) => new ApiError('ServiceNotFound', `No service named ${name} exists in namespace ${namespace}`);
export const instanceNotFound = (serviceId: string, id: string) => new ApiError('InstanceNotFound', `No instance exists with the specified ID: ${id} (service ${serviceId})`);
export const operationNotFound = (id: string) => new ApiError('OperationNotFound', `No operation exists with the specified ID: ${id}`);
export const serviceHasInstances = () => new ApiError('ResourceInUse', 'Service contains registered instances; delete the instances before deleting the service');
export const namespaceHasServices = () => new ApiError('ResourceInUse', 'Namespace contains services; delete the services before deleting the namespace');
export const customHealthNotFound = () => new ApiError('CustomHealthNotFound', 'The health check for the instance that\'s specified by ServiceId and InstanceId isn\'t a custom health check.');
export const resourceNotFound = (arn: string) => new ApiError('ResourceNotFoundException', `The operation can't be completed because the resource was not found: ${arn}`);
