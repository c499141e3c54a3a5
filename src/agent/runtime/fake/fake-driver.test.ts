import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeConformance } from '../conformance.js';
import { ecsReason } from '../runtime-error.js';
import { FakeDriver } from './fake-driver.js';

const IMAGE = 'localhost/wharf-conformance/busybox:fake';
const REG = '127.0.0.1:5000/conformance/bb';

runtimeConformance('fake', {
  open: async () => {
    const d = new FakeDriver({ images: [IMAGE] });
    d.addRegistryImage(`${REG}:1`);
    return d;
  },
  image: IMAGE,
  pull: { ref: `${REG}:1`, missingRef: `${REG}:missing` },
  servesNetwork: false,
});

describe('fake driver test controls', () => {
  it('records calls, injects faults, and ends containers on demand', async () => {
    const d = new FakeDriver({ images: ['img'] });
    d.failNext('pull', 'connection refused');
    await assert.rejects(d.pullImage('img'), (e) => ecsReason(e) === 'CannotPullContainerError: pull img: connection refused');
    const id = await d.createContainer({ name: 'a', image: 'img', command: ['sleep', '60'] });
    await d.startContainer(id);
    d.log(id, 'stdout', 'from test');
    d.exit(id, 0, { oomKilled: true });
    assert.deepEqual(await d.waitExit(id).then((e) => [e.exitCode, e.oomKilled]), [137, true]);
    assert.deepEqual(d.calls.map((c) => c.op), ['pull', 'create', 'start']);
    await d.close();
  });
});
