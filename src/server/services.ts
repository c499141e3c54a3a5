/** The AWS services this server speaks. Each capability adds its ServiceDefinition here. */
import type { ServiceDefinition } from '../api/types.js';
import { ecsService } from '../api/ecs/index.js';
import type { PluginDeps } from './plugins.js';
import { ecrService } from '../api/ecr/index.js';
import { registryFor } from '../registry/registry.js';

export function buildServices(deps: PluginDeps): ServiceDefinition[] {
  return [ecsService(), ecrService(registryFor(deps))];
}
