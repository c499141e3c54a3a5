/** Amazon ECS (awsJson1_1, AmazonEC2ContainerServiceV20141113): the operation table. */
import ecsModel from '../../model/aws/ecs.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { Handler, ServiceDefinition } from '../types.js';
import { createCluster } from './create-cluster.js';
import { describeClusters } from './describe-clusters.js';
import { listClusters } from './list-clusters.js';
import { deleteCluster } from './delete-cluster.js';
import { updateCluster, updateClusterSettings } from './update-cluster.js';

export const ecsHandlers: Record<string, Handler> = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  ListClusters: listClusters,
  DeleteCluster: deleteCluster,
  UpdateCluster: updateCluster,
  UpdateClusterSettings: updateClusterSettings,
};

export function ecsService(extra: Record<string, Handler> = {}): ServiceDefinition {
  return {
    name: 'ecs',
    signingName: 'ecs',
    model: ecsModel as unknown as ServiceModel,
    validationError: 'InvalidParameterException',
    serverError: 'ServerException',
    handlers: { ...ecsHandlers, ...extra },
  };
}
