/** ECS service tasks → ELB targets (filled in once services land). */
import type { Logger } from 'pino';
import type { Store } from '../../store/store.js';

export interface EcsTargetsResult { registered: number; draining: number }

export async function reconcileServiceTargets(_o: { store: Store; now: number; log: Logger }): Promise<EcsTargetsResult> {
  return { registered: 0, draining: 0 };
}
