/**
 * Non-AWS-API HTTP surfaces mounted on the server's one port (registry /v2/, agent gateway /agent,
 * /metrics, the web console /console). Each capability adds its plugin here; each plugin runs in its own Fastify context so it
 * can parse (or stream) bodies its own way.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api/types.js';
import type { AccessKeys } from '../iam/access-keys.js';
import type { ServerConfig } from './config.js';
import { registryServerPlugin } from '../registry/plugin.js';
import { telemetryFor } from '../telemetry/telemetry.js';
import { joinTokenVerifier } from '../dispatcher/gateway.js';
import { consolePlugin } from './console.js';

export interface PluginDeps {
  readonly api: ApiDeps;
  readonly keys: AccessKeys;
  readonly config: ServerConfig;
}

export type ServerPlugin = (app: FastifyInstance) => Promise<void>;

export function buildPlugins(deps: PluginDeps): ServerPlugin[] {
  return [registryServerPlugin(deps), telemetryFor(deps).plugin(joinTokenVerifier(deps.api.store)), consolePlugin()];
}
