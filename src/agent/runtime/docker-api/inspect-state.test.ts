import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toContainerState, toStatus } from './inspect-state.js';

describe('inspect state', () => {
  it('a container Podman is stopping still runs (not exited with 0)', () => {
    assert.equal(toStatus('stopping'), 'running');
    const s = toContainerState({ Id: 'x', State: { Status: 'stopping', Running: false, ExitCode: 0, StartedAt: '2026-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' } }, null);
    assert.deepEqual([s.status, s.running, s.exitCode, s.finishedAt], ['running', true, null, null]);
  });

  it('stopped/exited carry the exit code', () => {
    const s = toContainerState({ Id: 'x', State: { Status: 'exited', Running: false, ExitCode: 137, FinishedAt: '2026-01-01T00:00:01Z' } }, null);
    assert.deepEqual([s.status, s.running, s.exitCode], ['exited', false, 137]);
    assert.equal(toStatus('stopped'), 'exited');
  });
});
