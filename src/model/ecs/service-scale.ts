/**
 * The one path that changes a service's desiredCount once it exists: UpdateService (users) and the
 * Application Auto Scaling controller (which, at AWS, calls UpdateService too) both come here, so the
 * count and the PRIMARY deployment's count cannot drift apart. CreateService sets the first value and
 * DeleteService sets 0 on its way to INACTIVE.
 *
 * A desiredCount change alone scales the current deployment: the PRIMARY deployment takes the new
 * count and the services controller starts or stops tasks (its events say so: "has started N tasks").
 */
import type { ServiceRecord } from './records.js';

export function setDesiredCount(s: ServiceRecord, count: number): void {
  s.desiredCount = count;
  const primary = s.deployments.find((d) => d.status === 'PRIMARY');
  if (primary) primary.desiredCount = count;
}

/**
 * A deployment is under way: a PRIMARY still rolling out, or an older deployment still draining.
 * Application Auto Scaling does not scale in then (scale-out continues), as ECS documents.
 */
export function deploymentInProgress(s: Pick<ServiceRecord, 'deployments'>): boolean {
  return s.deployments.some((d) => d.status === 'ACTIVE' || (d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS'));
}
