/** The task and container-instance part of the ECS operation table. */
import type { Handler } from '../types.js';
import { runTask, startTask } from './run-task.js';
import { stopTask } from './stop-task.js';
import { describeTasks } from './describe-tasks.js';
import { listTasks } from './list-tasks.js';
import { describeContainerInstances } from './describe-container-instances.js';
import { listContainerInstances } from './list-container-instances.js';
import { deregisterContainerInstance } from './deregister-container-instance.js';
import { updateContainerInstancesState } from './update-container-instances-state.js';
import { putAttributes, deleteAttributes, listAttributes } from './attributes.js';
import { discoverPollEndpoint } from './discover-poll-endpoint.js';
import { putClusterCapacityProviders } from './put-cluster-capacity-providers.js';
import { describeCapacityProviders } from './describe-capacity-providers.js';

export const taskHandlers: Record<string, Handler> = {
  RunTask: runTask,
  StartTask: startTask,
  StopTask: stopTask,
  DescribeTasks: describeTasks,
  ListTasks: listTasks,
  DescribeContainerInstances: describeContainerInstances,
  ListContainerInstances: listContainerInstances,
  DeregisterContainerInstance: deregisterContainerInstance,
  UpdateContainerInstancesState: updateContainerInstancesState,
  PutAttributes: putAttributes,
  DeleteAttributes: deleteAttributes,
  ListAttributes: listAttributes,
  DiscoverPollEndpoint: discoverPollEndpoint,
  PutClusterCapacityProviders: putClusterCapacityProviders,
  DescribeCapacityProviders: describeCapacityProviders,
};
