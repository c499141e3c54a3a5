/**
 * DescribeScalingActivities: newest first. Activities that did not scale (NotScaledReasons) are shown
 * only with IncludeNotScaledActivities, as AWS does.
 */
import type { DescribeScalingActivitiesRequest, DescribeScalingActivitiesResponse, ScalingActivity } from '@aws-sdk/client-application-auto-scaling';
import { aasKeys, activityView, ECS_DIMENSION, type ScalingActivityRecord } from '../../model/autoscaling/records.js';
import type { Handler } from '../types.js';
import { page } from './common.js';

export const describeScalingActivities: Handler<DescribeScalingActivitiesRequest, DescribeScalingActivitiesResponse> = async (input, ctx) => {
  const ns = input.ServiceNamespace!;
  const prefix = input.ResourceId ? aasKeys.activitiesOf(ns, input.ScalableDimension ?? ECS_DIMENSION, input.ResourceId) : aasKeys.activities(ns);
  const { kvs } = await ctx.store.range(prefix);
  let acts = kvs.map((kv) => JSON.parse(kv.value) as ScalingActivityRecord);
  if (input.ScalableDimension) acts = acts.filter((a) => a.ScalableDimension === input.ScalableDimension);
  if (!input.IncludeNotScaledActivities) acts = acts.filter((a) => !a.NotScaledReasons?.length);
  acts.sort((a, b) => b.StartTime - a.StartTime || (a.ActivityId < b.ActivityId ? 1 : -1));
  const p = page(acts, input.MaxResults, input.NextToken);
  return { ScalingActivities: p.items.map((a) => activityView(a) as ScalingActivity), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};
