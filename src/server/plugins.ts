/**
 * Non-AWS-API HTTP surfaces mounted on the server's one port (registry /v2/, agent gateway /agent,
 * /metrics, the web console /console). Each capability adds its plugin here; each plugin runs in its own
 * Fastify context so it can parse (or stream) bodies its own way. Everything a plugin needs is made in
 * the composition root (server.ts) and passed in.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';
import type { Registry } from '../registry/registry.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { registryServerPlugin } from '../registry/plugin.js';
import { joinTokenVerifier } from '../dispatcher/gateway.js';
import { consolePlugin } from './console.js';

export interface PluginDeps {
  readonly store: Store;
  readonly registry: Registry;
  readonly telemetry: Telemetry;
}

export type ServerPlugin = (app: FastifyInstance) => Promise<void>;

export function buildPlugins(deps: PluginDeps): ServerPlugin[] {
  return [registryServerPlugin(deps.registry), deps.telemetry.plugin(joinTokenVerifier(deps.store)), consolePlugin()];
}
