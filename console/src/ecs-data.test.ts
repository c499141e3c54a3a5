import { describe, expect, it } from 'vitest';
import { explainStop, exitMeaning } from './ecs-data';

describe('explainStop', () => {
  it('says in plain words why a task stopped', () => {
    expect(explainStop({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ name: 'app', exitCode: 137 }] }))
      .toBe('An essential container (app) exited with code 137 (killed: SIGKILL, often out of memory or a stop timeout), so ECS stopped the whole task.');
    expect(explainStop({ stopCode: 'UserInitiated', stoppedReason: 'Stopped from the console' })).toMatch(/^Someone stopped this task/);
    expect(explainStop({ stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: …' })).toMatch(/image could not be pulled/);
    expect(explainStop({})).toBeUndefined();
  });

  it('knows the common exit codes', () => {
    expect(exitMeaning(143)).toBe(' (terminated: SIGTERM)');
    expect(exitMeaning(0)).toBe('');
  });
});
