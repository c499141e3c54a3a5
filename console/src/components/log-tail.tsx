/**
 * A log stream that follows: GetLogEvents from the head, then the forward token every 2 s (ECS's
 * console does the same; CloudWatch's StartLiveTail is an HTTP/2 event stream browsers' SDK cannot
 * open). Keeps the last 2000 lines.
 */
import { useEffect, useRef, useState } from 'react';
import Box from '@cloudscape-design/components/box';
import Toggle from '@cloudscape-design/components/toggle';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { client } from '../aws';
import { ApiErrorAlert } from './common';

export interface Line { readonly t: number; readonly m: string }

export function LogLines({ lines, label, empty }: { lines: readonly Line[]; label: string; empty: string }) {
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => { const el = ref.current; if (el) el.scrollTop = el.scrollHeight; }, [lines]);
  return (
    <pre ref={ref} tabIndex={0} aria-label={label} aria-live="polite" data-testid="log-lines"
      style={{ maxHeight: 360, overflow: 'auto', margin: 0, padding: 12, background: '#0f141a', color: '#e9ebed', borderRadius: 8, fontSize: 13, whiteSpace: 'pre-wrap' }}>
      {lines.length === 0 ? empty : lines.map((l) => `${new Date(l.t).toLocaleTimeString()}  ${l.m}`).join('\n')}
    </pre>
  );
}

export function LogTail({ group, stream }: { group: string; stream: string }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [error, setError] = useState<unknown>();
  const [follow, setFollow] = useState(true);
  const token = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (!follow && token.current) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = 2000;
    const tick = async () => {
      try {
        for (let page = 0; page < 10 && !stopped; page++) {
          const r = await client(CloudWatchLogsClient).send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token.current }));
          const got = (r.events ?? []).map((e) => ({ t: e.timestamp ?? 0, m: e.message ?? '' }));
          const same = r.nextForwardToken === token.current;
          token.current = r.nextForwardToken;
          if (got.length && !stopped) setLines((xs) => [...xs, ...got].slice(-2000));
          if (same || got.length === 0) break;
        }
        setError(undefined);
        delay = 2000;
      } catch (e) {
        if (!stopped) setError(e);
        delay = Math.min(30_000, delay * 2);
      }
      if (!stopped && follow) timer = setTimeout(() => void tick(), delay);
    };
    void tick();
    return () => { stopped = true; if (timer) clearTimeout(timer); };
  }, [group, stream, follow]);

  return (
    <SpaceBetween size="xs">
      <SpaceBetween direction="horizontal" size="m" alignItems="center">
        <Box variant="small" color="text-body-secondary">{group} › {stream}</Box>
        <Toggle checked={follow} onChange={(e) => setFollow(e.detail.checked)}>Follow</Toggle>
      </SpaceBetween>
      {error ? <ApiErrorAlert error={error} /> : null}
      <LogLines lines={lines} label={`Log stream ${stream}`} empty="No log lines yet. Lines appear here as the container writes them." />
    </SpaceBetween>
  );
}
