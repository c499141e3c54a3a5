import type { DiscoverPollEndpointRequest, DiscoverPollEndpointResponse } from '@aws-sdk/client-ecs';
import type { Handler } from '../types.js';

/**
 * DiscoverPollEndpoint: where an agent connects. ECS answers two base URLs, `endpoint` (ACS, where the
 * agent receives work) and `telemetryEndpoint` (TCS, where it sends metrics), whatever the cluster or
 * instance named — it checks neither. For Wharf both are the one server endpoint: its agents speak to
 * `/agent` (work, reports, stats) and `/agent/logs` below it.
 */
export const discoverPollEndpoint: Handler<DiscoverPollEndpointRequest, DiscoverPollEndpointResponse> = async (_input, ctx) => {
  const base = `${ctx.publicEndpoint.replace(/\/+$/, '')}/`;
  return { endpoint: base, telemetryEndpoint: base };
};
