/**
 * Who runs the controllers. With the embedded store there is one server and it always leads; the etcd
 * store (HA) will implement this with a lease, so that exactly one server runs the loops and a paused
 * ex-leader's writes are fenced. Controllers start under `run` and stop when its signal aborts.
 */
export interface Leadership {
  /** Calls `lead` each time this process becomes leader; the signal aborts when leadership is lost. Returns a stop function. */
  run(lead: (signal: AbortSignal) => void): () => void;
}

/** The embedded store's leadership: this process leads from the start until stopped. */
export const alwaysLeader: Leadership = {
  run(lead) {
    const ac = new AbortController();
    lead(ac.signal);
    return () => ac.abort();
  },
};
