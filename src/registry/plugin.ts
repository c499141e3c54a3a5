/** Mounts the registry (/v2/) on the server and runs its background loops while the server runs. */
import type { FastifyInstance } from 'fastify';
import type { Registry } from './registry.js';
import { registryPlugin } from './http.js';

export function registryServerPlugin(reg: Registry): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    await registryPlugin(reg)(app);
    reg.start();
    app.addHook('onClose', async () => reg.stop());
  };
}
