import type { DescribeAccountLimitsInput, DescribeAccountLimitsOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Handler } from '../types.js';

/** The limits Wharf enforces (AWS's defaults for application load balancers). */
const LIMITS: Record<string, string> = {
  'application-load-balancers': '50', 'target-groups': '3000', 'targets-per-application-load-balancer': '1000',
  'listeners-per-application-load-balancer': '50', 'rules-per-application-load-balancer': '100', 'condition-values-per-alb-rule': '5',
  'target-groups-per-action-on-application-load-balancer': '5',
};

export const describeAccountLimits: Handler<DescribeAccountLimitsInput, DescribeAccountLimitsOutput> = async () =>
  ({ Limits: Object.entries(LIMITS).map(([Name, Max]) => ({ Name, Max })) });
