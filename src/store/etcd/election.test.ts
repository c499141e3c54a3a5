import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FencedError, type Store } from '../store.js';
import { EtcdStore } from './etcd-store.js';
import { EtcdElection, LEADER_KEY } from './election.js';
import { startEtcd, type EtcdCluster } from '../../../test/support/etcd.js';

let etcd: EtcdCluster;
const stores: EtcdStore[] = [];
before(async () => { etcd = await startEtcd(); });
after(async () => {
  for (const s of stores) await s.close();
  await etcd?.stop();
});

const connect = async () => { const s = await EtcdStore.connect({ endpoints: etcd.endpoints }); stores.push(s); return s; };

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Term { signal: AbortSignal; store: Store }

describe('EtcdElection', () => {
  it('one of two leads; when it stops, the other leads at once (the lease is revoked, not left to expire)', async () => {
    const [s1, s2] = [await connect(), await connect()];
    const e1 = new EtcdElection(s1, { id: 'one', ttlSeconds: 5 });
    const e2 = new EtcdElection(s2, { id: 'two', ttlSeconds: 5 });
    const terms1: Term[] = [];
    const terms2: Term[] = [];
    e1.run((signal, store) => terms1.push({ signal, store }));
    await until('one leads', () => terms1.length === 1);
    e2.run((signal, store) => terms2.push({ signal, store }));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(terms2.length, 0, 'two does not lead while one does');
    const t0 = Date.now();
    await e1.close();
    assert.equal(terms1[0]!.signal.aborted, true, "one's loops were told to stop");
    await until('two leads', () => terms2.length === 1, 3000);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms, less than the 5 s TTL`);
    assert.match((await s2.get(LEADER_KEY))!.value, /"id":"two"/);
    // One's old term can no longer write, and runs neither branch.
    await assert.rejects(terms1[0]!.store.txn({ success: [{ type: 'put', key: '/old', value: 'x' }] }), FencedError);
    assert.equal(await s1.get('/old'), undefined);
    await terms2[0]!.store.txn({ success: [{ type: 'put', key: '/new', value: 'y' }] });
    assert.equal((await s1.get('/new'))?.value, 'y');
    await e2.close();
  });

  it('a leader whose key is taken away stops leading and campaigns again', async () => {
    const s = await connect();
    const e = new EtcdElection(s, { id: 'solo', ttlSeconds: 2, renewMs: 300 });
    const terms: Term[] = [];
    e.run((signal, store) => terms.push({ signal, store }));
    await until('it leads', () => terms.length === 1);
    // An operator (or a bug) deletes the key: the term ends, its store is fenced, a new term begins.
    await s.txn({ success: [{ type: 'delete', key: LEADER_KEY }] });
    await until('the first term ended', () => terms[0]!.signal.aborted);
    await assert.rejects(terms[0]!.store.txn({ success: [{ type: 'put', key: '/t1', value: 'x' }] }), FencedError);
    await until('a second term', () => terms.length === 2, 5000);
    assert.equal(terms[1]!.signal.aborted, false);
    await terms[1]!.store.txn({ success: [{ type: 'put', key: '/t2', value: 'y' }] });
    await e.close();
    assert.equal(terms[1]!.signal.aborted, true);
  });
});
