/**
 * A log group: search with a CloudWatch filter pattern over a time window (FilterLogEvents, all pages),
 * and "live tail": the same filter polled every 2 s from just after the newest event seen.
 */
import { useEffect, useRef, useState } from 'react';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Toggle from '@cloudscape-design/components/toggle';
import Link from '@cloudscape-design/components/link';
import { CloudWatchLogsClient, DescribeLogStreamsCommand, paginateFilterLogEvents, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { client, collect } from '../aws';
import { usePoll } from '../poll';
import { href } from '../router';
import { ApiErrorAlert, Empty, fmtDate } from '../components/common';
import { LogLines, LogTail } from '../components/log-tail';

const WINDOWS = [
  { label: 'Last 5 minutes', value: String(5 * 60_000) },
  { label: 'Last hour', value: String(3600_000) },
  { label: 'Last 24 hours', value: String(86_400_000) },
  { label: 'Last 7 days', value: String(7 * 86_400_000) },
];

export default function LogGroupPage({ group, stream }: { group: string; stream: string | undefined }) {
  const [pattern, setPattern] = useState('');
  const [applied, setApplied] = useState('');
  const [windowMs, setWindowMs] = useState(WINDOWS[1]!);
  const [live, setLive] = useState(false);
  const [events, setEvents] = useState<FilteredLogEvent[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const streams = usePoll(`streams/${group}`, async () => (await client(CloudWatchLogsClient).send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', descending: true, limit: 50 }))).logStreams ?? [], { intervalMs: 15_000 });

  const search = async (filterPattern: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const out = await collect(paginateFilterLogEvents({ client: client(CloudWatchLogsClient), pageSize: 1000 },
        { logGroupName: group, filterPattern: filterPattern || undefined, startTime: Date.now() - Number(windowMs.value) }), (p) => p.events, 5000);
      setEvents(out.slice(-1000));
      setApplied(filterPattern);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <ContentLayout header={<Header variant="h1">{group}</Header>}>
      <SpaceBetween size="l">
        {stream ? <Container header={<Header variant="h2" actions={<Link href={href('logs', group)}>All streams</Link>}>Stream</Header>}><LogTail group={group} stream={stream} /></Container> : null}
        <Container header={<Header variant="h2" description='Filter pattern syntax as in CloudWatch: words ("ERROR"), "exact phrase", -exclude, ?any ?of, or { $.level = "error" } for JSON.'>Search</Header>}>
          <form onSubmit={(e) => { e.preventDefault(); setLive(false); void search(pattern); }}>
            <SpaceBetween size="m">
              <SpaceBetween direction="horizontal" size="s" alignItems="end">
                <FormField label="Filter pattern" stretch>
                  <Input type="search" value={pattern} onChange={(e) => setPattern(e.detail.value)} placeholder="ERROR" ariaLabel="Filter pattern" />
                </FormField>
                <FormField label="Time range">
                  <Select selectedOption={windowMs} onChange={(e) => setWindowMs(e.detail.selectedOption as typeof windowMs)} options={WINDOWS} ariaLabel="Time range" />
                </FormField>
                <Button variant="primary" formAction="submit" loading={busy}>Search</Button>
                <Toggle checked={live} onChange={(e) => { setLive(e.detail.checked); setApplied(pattern); }}>Live tail</Toggle>
              </SpaceBetween>
              <ApiErrorAlert error={error} />
              {live ? <LiveTail group={group} pattern={applied} /> : events ? (
                <LogLines lines={events.map((e) => ({ t: e.timestamp ?? 0, m: `${e.logStreamName}  ${e.message ?? ''}` }))} label="Search results"
                  empty={`No events match ${applied ? `"${applied}"` : 'in this time range'}.`} />
              ) : null}
            </SpaceBetween>
          </form>
        </Container>
        <Table
          header={<Header counter={streams.data ? `(${streams.data.length})` : undefined}>Log streams</Header>}
          items={streams.data ?? []} loading={streams.loading} loadingText="Loading streams" trackBy="logStreamName" ariaLabels={{ tableLabel: 'Log streams' }}
          empty={<Empty title="No log streams">Streams appear when a container writes its first line.</Empty>}
          columnDefinitions={[
            { id: 'name', header: 'Stream', isRowHeader: true, cell: (s) => <Link href={`${href('logs', group)}?stream=${encodeURIComponent(s.logStreamName ?? '')}`}>{s.logStreamName}</Link> },
            { id: 'last', header: 'Last event', cell: (s) => fmtDate(s.lastEventTimestamp ? new Date(s.lastEventTimestamp) : undefined) },
          ]}
        />
        <ApiErrorAlert error={streams.error} />
      </SpaceBetween>
    </ContentLayout>
  );
}

function LiveTail({ group, pattern }: { group: string; pattern: string }) {
  const [lines, setLines] = useState<{ t: number; m: string }[]>([]);
  const [error, setError] = useState<unknown>();
  const since = useRef(Date.now() - 60_000);
  const seen = useRef(new Set<string>());
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = 2000;
    const tick = async () => {
      try {
        const got = await collect(paginateFilterLogEvents({ client: client(CloudWatchLogsClient) }, { logGroupName: group, filterPattern: pattern || undefined, startTime: since.current }), (p) => p.events, 5000);
        const fresh = got.filter((e) => e.eventId && !seen.current.has(e.eventId));
        for (const e of fresh) seen.current.add(e.eventId!);
        // Re-read the last second each time: events with the same timestamp may arrive in two polls.
        if (got.length) since.current = Math.max(since.current, (got.at(-1)!.timestamp ?? since.current) - 1000);
        if (fresh.length && !stopped) setLines((xs) => [...xs, ...fresh.map((e) => ({ t: e.timestamp ?? 0, m: `${e.logStreamName}  ${e.message ?? ''}` }))].slice(-2000));
        setError(undefined);
        delay = 2000;
      } catch (e) {
        if (!stopped) setError(e);
        delay = Math.min(30_000, delay * 2);
      }
      if (!stopped) timer = setTimeout(() => void tick(), delay);
    };
    void tick();
    return () => { stopped = true; if (timer) clearTimeout(timer); };
  }, [group, pattern]);
  return (
    <SpaceBetween size="xs">
      <ApiErrorAlert error={error} />
      <LogLines lines={lines} label="Live tail" empty={`Waiting for events${pattern ? ` matching "${pattern}"` : ''}…`} />
    </SpaceBetween>
  );
}
