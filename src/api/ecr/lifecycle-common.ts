/** Shared by the lifecycle policy handlers: parse with ECR's error, store the preview result. */
import { ApiError } from '../../model/errors.js';
import { LifecyclePolicyError, parseLifecyclePolicy } from '../../registry/lifecycle.js';

export function checkPolicy(text: string): void {
  try {
    parseLifecyclePolicy(text);
  } catch (e) {
    if (e instanceof LifecyclePolicyError) throw new ApiError('InvalidParameterException', `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: '${e.message}'`);
    throw e;
  }
}

export interface PreviewRecord {
  lifecyclePolicyText: string;
  status: 'COMPLETE' | 'IN_PROGRESS' | 'FAILED';
  results: { imageDigest: string; imageTags: string[]; imagePushedAt: number; appliedRulePriority: number }[];
}
