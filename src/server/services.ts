/** The AWS services this server speaks. Each capability adds its ServiceDefinition here. */
import type { ServiceDefinition } from '../api/types.js';
import { ecsService } from '../api/ecs/index.js';
import type { PluginDeps } from './plugins.js';

export function buildServices(_deps: PluginDeps): ServiceDefinition[] {
  return [ecsService()];
}
