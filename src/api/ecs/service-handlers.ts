/** The service part of the ECS operation table (issue 4). */
import type { Handler } from '../types.js';
import { createService } from './create-service.js';
import { updateService } from './update-service.js';
import { deleteService } from './delete-service.js';
import { describeServices } from './describe-services.js';
import { listServices } from './list-services.js';
import { listServicesByNamespace } from './list-services-by-namespace.js';
import { updateTaskProtection } from './task-protection-update.js';
import { getTaskProtection } from './task-protection-get.js';
import { listServiceDeployments } from './service-deployments-list.js';
import { describeServiceDeployments } from './service-deployments-describe.js';
import { stopServiceDeployment } from './service-deployments-stop.js';

export const serviceHandlers: Record<string, Handler> = {
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: deleteService,
  DescribeServices: describeServices,
  ListServices: listServices,
  ListServicesByNamespace: listServicesByNamespace,
  UpdateTaskProtection: updateTaskProtection,
  GetTaskProtection: getTaskProtection,
  // Newer than the generated model: validated by hand in their handlers.
  ListServiceDeployments: listServiceDeployments,
  DescribeServiceDeployments: describeServiceDeployments,
  StopServiceDeployment: stopServiceDeployment,
};
