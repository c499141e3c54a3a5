/** Amazon ECS (awsJson1_1, AmazonEC2ContainerServiceV20141113): the operation table. */
import { ecsAuthorizer } from './authz.js';
import ecsModel from '../../model/aws/ecs.json' with { type: 'json' };
import type { ServiceModel } from '../../protocol/service-model.js';
import type { Handler, ServiceDefinition } from '../types.js';
import { createCluster } from './create-cluster.js';
import { describeClusters } from './describe-clusters.js';
import { listClusters } from './list-clusters.js';
import { deleteCluster } from './delete-cluster.js';
import { updateCluster, updateClusterSettings } from './update-cluster.js';
import { registerTaskDefinition } from './register-task-definition.js';
import { describeTaskDefinition } from './describe-task-definition.js';
import { listTaskDefinitions } from './list-task-definitions.js';
import { listTaskDefinitionFamilies } from './list-task-definition-families.js';
import { deregisterTaskDefinition } from './deregister-task-definition.js';
import { deleteTaskDefinitions } from './delete-task-definitions.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { listTagsForResource } from './list-tags-for-resource.js';
import { taskHandlers } from './task-handlers.js';
import { serviceHandlers } from './service-handlers.js';
import { putAccountSetting, putAccountSettingDefault, deleteAccountSetting, listAccountSettings } from './account-settings.js';

export const ecsHandlers: Record<string, Handler> = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  ListClusters: listClusters,
  DeleteCluster: deleteCluster,
  UpdateCluster: updateCluster,
  UpdateClusterSettings: updateClusterSettings,
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  ListTaskDefinitions: listTaskDefinitions,
  ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  DeleteTaskDefinitions: deleteTaskDefinitions,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  PutAccountSetting: putAccountSetting,
  PutAccountSettingDefault: putAccountSettingDefault,
  DeleteAccountSetting: deleteAccountSetting,
  ListAccountSettings: listAccountSettings,
};

/**
 * ECS words some enum errors itself instead of the generic "1 validation error detected: … enum value
 * set": `--launch-type fargate` answers "launch type should be one of [EC2,FARGATE,EXTERNAL]" (the
 * three launch types ECS names, though the model also lists MANAGED_INSTANCES).
 */
export const ecsEnumWording = (member: string): string | undefined =>
  member === 'launchType' ? 'launch type should be one of [EC2,FARGATE,EXTERNAL]' : undefined;

export function ecsService(extra: Record<string, Handler> = {}): ServiceDefinition {
  return {
    name: 'ecs',
    signingName: 'ecs',
    model: ecsModel as unknown as ServiceModel,
    validationError: 'InvalidParameterException',
    serverError: 'ServerException',
    authorize: ecsAuthorizer,
    enumWording: ecsEnumWording,
    handlers: { ...ecsHandlers, ...taskHandlers, ...serviceHandlers, ...extra },
  };
}
