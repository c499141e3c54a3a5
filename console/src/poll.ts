/**
 * Live updates by polling. The naive approach — setInterval(fetch, 5 s) — keeps hammering a server that
 * is failing or overloaded, and keeps polling from background tabs. Instead: one request in flight at a
 * time; after a success wait `intervalMs`; after a failure wait twice as long as the last wait, up to
 * `maxMs` (5 s → 10 → 20 → 40 → 60 s), and go back to `intervalMs` after the next success. A hidden tab
 * does not poll; it refreshes as soon as it becomes visible again.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface PollState<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  /** When the data was last fetched successfully. */
  readonly updatedAt: Date | undefined;
  /** Fetch now (after an action), resetting the back-off. */
  refresh(): void;
}

export interface PollOptions {
  /** Wait between successful polls; 0 = fetch once. Default 5000. */
  readonly intervalMs?: number;
  /** Longest wait after repeated failures. Default 60000. */
  readonly maxMs?: number;
}

export function nextDelay(last: number, ok: boolean, o: { intervalMs: number; maxMs: number }): number {
  return ok ? o.intervalMs : Math.min(o.maxMs, Math.max(o.intervalMs, last) * 2);
}

/** Polls `fetcher` while mounted; `key` identifies what is fetched (a new key starts over). */
export function usePoll<T>(key: string, fetcher: () => Promise<T>, options: PollOptions = {}): PollState<T> {
  const intervalMs = options.intervalMs ?? 5000;
  const maxMs = options.maxMs ?? 60_000;
  const [state, setState] = useState<{ key: string; data: T | undefined; error: unknown; loading: boolean; updatedAt: Date | undefined }>(
    { key, data: undefined, error: undefined, loading: true, updatedAt: undefined });
  const fetchRef = useRef(fetcher);
  useEffect(() => { fetchRef.current = fetcher; });
  const kick = useRef<() => void>(() => {});

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = intervalMs;
    let inFlight = false;
    let again = false;
    const run = async () => {
      if (stopped) return;
      if (inFlight) { again = true; return; }
      if (timer) { clearTimeout(timer); timer = undefined; }
      inFlight = true;
      let ok = true;
      try {
        const data = await fetchRef.current();
        if (!stopped) setState({ key, data, error: undefined, loading: false, updatedAt: new Date() });
      } catch (error) {
        ok = false;
        if (!stopped) setState((s) => ({ ...s, key, error, loading: false, data: s.key === key ? s.data : undefined }));
      } finally {
        inFlight = false;
      }
      if (stopped) return;
      if (again) { again = false; delay = intervalMs; void run(); return; }
      delay = nextDelay(delay, ok, { intervalMs, maxMs });
      if (intervalMs > 0 && !document.hidden) timer = setTimeout(() => void run(), delay);
    };
    const onVisible = () => { if (!document.hidden && !timer && !inFlight && intervalMs > 0) void run(); };
    kick.current = () => { delay = intervalMs; void run(); };
    document.addEventListener('visibilitychange', onVisible);
    void run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [key, intervalMs, maxMs]);

  const refresh = useCallback(() => kick.current(), []);
  const current = state.key === key ? state : { data: undefined, error: undefined, loading: true, updatedAt: undefined };
  return { data: current.data, error: current.error, loading: current.loading, updatedAt: current.updatedAt, refresh };
}
