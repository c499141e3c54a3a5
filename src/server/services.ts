/** The AWS services this server speaks. Each capability adds its ServiceDefinition here. */
import type { ServiceDefinition } from '../api/types.js';
import { ecsService } from '../api/ecs/index.js';

export function buildServices(): ServiceDefinition[] {
  return [ecsService()];
}
