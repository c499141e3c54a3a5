import type { BatchCheckLayerAvailabilityRequest, BatchCheckLayerAvailabilityResponse, Layer, LayerFailure } from '@aws-sdk/client-ecr';
import { isLinked } from '../../registry/metadata.js';
import { requireRepo } from './common.js';
import type { Handler } from '../types.js';

export const batchCheckLayerAvailability: Handler<BatchCheckLayerAvailabilityRequest, BatchCheckLayerAvailabilityResponse> = async (input, ctx) => {
  const repo = await requireRepo(ctx, input.repositoryName);
  const layers: Layer[] = [];
  const failures: LayerFailure[] = [];
  for (const d of input.layerDigests ?? []) {
    const st = (await isLinked(ctx.store, repo.repositoryName, d)) ? await ctx.registry.blobs.stat(d) : undefined;
    if (st) layers.push({ layerDigest: d, layerAvailability: 'AVAILABLE', layerSize: st.size, mediaType: 'application/octet-stream' });
    else failures.push({ layerDigest: d, failureCode: 'MissingLayerDigest', failureReason: 'Requested layer not found' });
  }
  return { layers, failures };
};
