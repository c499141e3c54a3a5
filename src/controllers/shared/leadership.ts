/**
 * Who runs the controllers. With the embedded store there is one server and it always leads. With etcd
 * (docs/ha.md) servers elect a leader on a lease (src/store/etcd/election.ts), so that exactly one runs
 * the loops, and the store it hands them is fenced: a write made after its term ended — by a paused
 * ex-leader that woke up, say — is refused by etcd, not merely discouraged. Controllers start under `run`
 * and stop when its signal aborts; they write only through the store they are given.
 */
import type { Store } from '../../store/store.js';

export interface Leadership {
  /**
   * Calls `lead` each time this process becomes leader, with the store the leader's loops must write
   * through; the signal aborts when leadership is lost. Returns a stop function.
   */
  run(lead: (signal: AbortSignal, store: Store) => void): () => void;
}

/** The embedded store's leadership: this process leads from the start until stopped, on the store itself. */
export function alwaysLeader(store: Store): Leadership {
  return {
    run(lead) {
      const ac = new AbortController();
      lead(ac.signal, store);
      return () => ac.abort();
    },
  };
}
