/**
 * CloudWatch Logs storage: log groups, streams and events in their own SQLite file (`logs.db` in the
 * data directory), beside — not inside — the control-plane Store.
 *
 * Why a separate file: log volume is orders of magnitude above control-plane state (one chatty container
 * writes more lines in a minute than the whole cluster has records). In the revisioned Store every line
 * would be a key with a revision, a watch event and an etcd-sized value limit, and a log burst would delay
 * every controller's writes behind it. Here an event is one row in an append-mostly table with integer
 * keys, written in batches: one transaction per PutLogEvents call or agent batch (up to 10,000 rows), so
 * the per-commit fsync is paid per batch, not per line. A 10,000-line batch is one fsync of ~1 MB; at
 * ~2 ms per fsync here that is a ceiling of millions of lines/s from commits alone — the row inserts
 * (~1–2 µs each) dominate. WAL with synchronous=FULL keeps DESIGN §2's promise: an acknowledged batch
 * survives kill -9 and power loss. With the etcd (HA) store each server has its own logs.db: logs are
 * then per server (a known limit; a shared log backend is future work).
 *
 * Tables:   groups(id, name, created, retention, tags, …)   streams(id, group_id, name, first/last ts…)
 *           events(id, stream_id, group_id, ts, ingest, message)   cursors(stream_id, source, seq)
 * Indexes (group_id, ts, id) for FilterLogEvents and (stream_id, ts, id) for GetLogEvents; the event's
 * rowid is its eventId and the tie-breaker that makes every token position exact.
 * `cursors` is the agent ingest's dedup record: the last line number stored per (stream, container).
 */
import Database from 'better-sqlite3';
import type {
  CreateLogGroupRequest, DescribeLogGroupsRequest, DescribeLogGroupsResponse, DescribeLogStreamsRequest, DescribeLogStreamsResponse,
  FilterLogEventsRequest, FilterLogEventsResponse, FilteredLogEvent, GetLogEventsRequest, GetLogEventsResponse, InputLogEvent,
  LogGroup, LogStream, OutputLogEvent, RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import { ApiError } from '../model/errors.js';
import type { LogsBackend } from '../api/logs/backend.js';
import { compileFilterPattern, FilterPatternError } from './filter-pattern.js';
import type { AgentLogBatch } from '../protocol/agent-logs.js';

const DAY = 86_400_000;
/** AWS answers at most 1 MB of events per Get/FilterLogEvents call. */
const MAX_REPLY_BYTES = 1_048_576;
/** FilterLogEvents scans at most this many rows per call, then returns a token (AWS may return empty pages too). */
const MAX_SCAN_ROWS = 200_000;

interface GroupRow { id: number; name: string; created: number; retention: number | null; kms: string | null; class: string; tags: string; stored_bytes: number }
interface StreamRow { id: number; group_id: number; name: string; created: number; first_ts: number | null; last_ts: number | null; last_ingest: number | null; stored_bytes: number }
interface EventRow { id: number; stream_id: number; ts: number; ingest: number; message: string }

export class LogsStore implements LogsBackend {
  private readonly db: Database.Database;
  private readonly st: Record<string, Database.Statement>;
  /** Called after events are stored (wakes followers and feeds Prometheus). */
  onIngest?: (group: string, count: number, bytes: number) => void;

  constructor(readonly file: string, private readonly scope: { region: string; accountId: string }) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = OFF');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created INTEGER NOT NULL,
        retention INTEGER, kms TEXT, class TEXT NOT NULL DEFAULT 'STANDARD', tags TEXT NOT NULL DEFAULT '{}', stored_bytes INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS streams (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, name TEXT NOT NULL, created INTEGER NOT NULL,
        first_ts INTEGER, last_ts INTEGER, last_ingest INTEGER, stored_bytes INTEGER NOT NULL DEFAULT 0, UNIQUE(group_id, name));
      CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, stream_id INTEGER NOT NULL, group_id INTEGER NOT NULL,
        ts INTEGER NOT NULL, ingest INTEGER NOT NULL, message TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS events_group ON events(group_id, ts, id);
      CREATE INDEX IF NOT EXISTS events_stream ON events(stream_id, ts, id);
      CREATE TABLE IF NOT EXISTS cursors (stream_id INTEGER NOT NULL, source TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(stream_id, source));
    `);
    const p = (sql: string) => this.db.prepare(sql);
    this.st = {
      group: p('SELECT * FROM groups WHERE name = ?'),
      insertGroup: p('INSERT INTO groups (name, created, kms, class, tags) VALUES (?, ?, ?, ?, ?)'),
      stream: p('SELECT * FROM streams WHERE group_id = ? AND name = ?'),
      insertStream: p('INSERT INTO streams (group_id, name, created) VALUES (?, ?, ?)'),
      insertEvent: p('INSERT INTO events (stream_id, group_id, ts, ingest, message) VALUES (?, ?, ?, ?, ?)'),
      touchStream: p(`UPDATE streams SET first_ts = MIN(COALESCE(first_ts, ?), ?), last_ts = MAX(COALESCE(last_ts, ?), ?), last_ingest = ?,
        stored_bytes = stored_bytes + ? WHERE id = ?`),
      touchGroup: p('UPDATE groups SET stored_bytes = stored_bytes + ? WHERE id = ?'),
      cursor: p('SELECT seq FROM cursors WHERE stream_id = ? AND source = ?'),
      setCursor: p('INSERT INTO cursors (stream_id, source, seq) VALUES (?, ?, ?) ON CONFLICT(stream_id, source) DO UPDATE SET seq = excluded.seq'),
    };
  }

  close(): void {
    this.db.close();
  }

  // ---- groups ----------------------------------------------------------------------------------------

  private groupRow(name: string): GroupRow {
    const g = this.st.group.get(name) as GroupRow | undefined;
    if (!g) throw new ApiError('ResourceNotFoundException', 'The specified log group does not exist.');
    return g;
  }

  private arn(name: string): string {
    return `arn:aws:logs:${this.scope.region}:${this.scope.accountId}:log-group:${name}`;
  }

  createLogGroup(input: CreateLogGroupRequest, now: number): void {
    try {
      this.st.insertGroup.run(input.logGroupName, now, input.kmsKeyId ?? null, input.logGroupClass ?? 'STANDARD', JSON.stringify(input.tags ?? {}));
    } catch (e) {
      if (/UNIQUE/.test(String(e))) throw new ApiError('ResourceAlreadyExistsException', 'The specified log group already exists');
      throw e;
    }
  }

  deleteLogGroup(name: string): void {
    const g = this.groupRow(name);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM events WHERE group_id = ?').run(g.id);
      this.db.prepare('DELETE FROM cursors WHERE stream_id IN (SELECT id FROM streams WHERE group_id = ?)').run(g.id);
      this.db.prepare('DELETE FROM streams WHERE group_id = ?').run(g.id);
      this.db.prepare('DELETE FROM groups WHERE id = ?').run(g.id);
    })();
  }

  describeLogGroups(input: DescribeLogGroupsRequest): DescribeLogGroupsResponse {
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      throw new ApiError('InvalidParameterException', 'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
    }
    const limit = input.limit ?? 50;
    const after = input.nextToken ? decodeToken(input.nextToken).name : '';
    const rows = this.db.prepare('SELECT * FROM groups WHERE name > ? ORDER BY name').all(after) as GroupRow[];
    const pattern = input.logGroupNamePattern?.toLowerCase();
    const matching = rows.filter((g) => (input.logGroupNamePrefix === undefined || g.name.startsWith(input.logGroupNamePrefix))
      && (pattern === undefined || g.name.toLowerCase().includes(pattern))
      && (input.logGroupClass === undefined || g.class === input.logGroupClass));
    const page = matching.slice(0, limit);
    return {
      logGroups: page.map((g): LogGroup => strip({
        logGroupName: g.name, creationTime: g.created, retentionInDays: g.retention ?? undefined, metricFilterCount: 0,
        arn: `${this.arn(g.name)}:*`, logGroupArn: this.arn(g.name), storedBytes: g.stored_bytes, kmsKeyId: g.kms ?? undefined, logGroupClass: g.class as 'STANDARD',
      })),
      nextToken: matching.length > limit ? encodeToken({ name: page[page.length - 1].name }) : undefined,
    };
  }

  putRetentionPolicy(name: string, days: number | undefined): void {
    const g = this.groupRow(name);
    this.db.prepare('UPDATE groups SET retention = ? WHERE id = ?').run(days ?? null, g.id);
  }

  tags(group: string): Record<string, string> {
    return JSON.parse(this.groupRow(group).tags) as Record<string, string>;
  }

  setTags(group: string, add: Record<string, string>, remove: string[]): void {
    const g = this.groupRow(group);
    const tags = { ...(JSON.parse(g.tags) as Record<string, string>), ...add };
    for (const k of remove) delete tags[k];
    if (Object.keys(tags).length > 50) throw new ApiError('TooManyTagsException', `A resource can have no more than 50 tags.`);
    this.db.prepare('UPDATE groups SET tags = ? WHERE id = ?').run(JSON.stringify(tags), g.id);
  }

  groupOfArn(arn: string): string {
    const m = /^arn:aws[\w-]*:logs:([^:]*):(\d*):log-group:(.+?)(:\*)?$/.exec(arn);
    if (!m) throw new ApiError('InvalidParameterException', `Invalid resource ARN: ${arn}`);
    this.groupRow(m[3]);
    return m[3];
  }

  // ---- streams ---------------------------------------------------------------------------------------

  private streamRow(g: GroupRow, name: string): StreamRow {
    const s = this.st.stream.get(g.id, name) as StreamRow | undefined;
    if (!s) throw new ApiError('ResourceNotFoundException', 'The specified log stream does not exist.');
    return s;
  }

  createLogStream(group: string, stream: string, now: number): void {
    const g = this.groupRow(group);
    try {
      this.st.insertStream.run(g.id, stream, now);
    } catch (e) {
      if (/UNIQUE/.test(String(e))) throw new ApiError('ResourceAlreadyExistsException', 'The specified log stream already exists');
      throw e;
    }
  }

  deleteLogStream(group: string, stream: string): void {
    const g = this.groupRow(group);
    const s = this.streamRow(g, stream);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM events WHERE stream_id = ?').run(s.id);
      this.db.prepare('DELETE FROM cursors WHERE stream_id = ?').run(s.id);
      this.db.prepare('DELETE FROM streams WHERE id = ?').run(s.id);
      this.db.prepare('UPDATE groups SET stored_bytes = MAX(0, stored_bytes - ?) WHERE id = ?').run(s.stored_bytes, g.id);
    })();
  }

  describeLogStreams(group: string, input: DescribeLogStreamsRequest): DescribeLogStreamsResponse {
    const g = this.groupRow(group);
    const byTime = input.orderBy === 'LastEventTime';
    if (byTime && input.logStreamNamePrefix !== undefined) {
      throw new ApiError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const limit = input.limit ?? 50;
    const desc = input.descending === true;
    const offset = input.nextToken ? Number(decodeToken(input.nextToken).offset ?? 0) : 0;
    const order = byTime ? `COALESCE(last_ts, 0) ${desc ? 'DESC' : 'ASC'}, name ${desc ? 'DESC' : 'ASC'}` : `name ${desc ? 'DESC' : 'ASC'}`;
    const prefix = input.logStreamNamePrefix;
    const rows = (prefix !== undefined
      ? this.db.prepare(`SELECT * FROM streams WHERE group_id = ? AND substr(name, 1, ?) = ? ORDER BY ${order} LIMIT ? OFFSET ?`).all(g.id, prefix.length, prefix, limit + 1, offset)
      : this.db.prepare(`SELECT * FROM streams WHERE group_id = ? ORDER BY ${order} LIMIT ? OFFSET ?`).all(g.id, limit + 1, offset)) as StreamRow[];
    const page = rows.slice(0, limit);
    return {
      logStreams: page.map((s): LogStream => strip({
        logStreamName: s.name, creationTime: s.created, firstEventTimestamp: s.first_ts ?? undefined, lastEventTimestamp: s.last_ts ?? undefined,
        lastIngestionTime: s.last_ingest ?? undefined, uploadSequenceToken: String(s.id).padStart(20, '0'),
        arn: `${this.arn(group)}:log-stream:${s.name}`, storedBytes: s.stored_bytes,
      })),
      nextToken: rows.length > limit ? encodeToken({ offset: offset + limit }) : undefined,
    };
  }

  // ---- events ----------------------------------------------------------------------------------------

  putLogEvents(group: string, stream: string, events: InputLogEvent[], now: number): { rejected?: RejectedLogEventsInfo; nextSequenceToken: string } {
    const g = this.groupRow(group);
    const s = this.streamRow(g, stream);
    // AWS keeps the accepted middle of the batch and reports the rejected ends by index.
    const tooOldBefore = now - 14 * DAY;
    const expiredBefore = g.retention ? now - g.retention * DAY : -Infinity;
    const tooNewAfter = now + 2 * 3_600_000;
    const rejected: RejectedLogEventsInfo = {};
    let from = 0;
    let to = events.length;
    for (let i = 0; i < events.length; i++) {
      const t = events[i].timestamp!;
      if (t < expiredBefore) { rejected.expiredLogEventEndIndex = i; from = i + 1; }
      else if (t < tooOldBefore) { rejected.tooOldLogEventEndIndex = i; from = i + 1; }
    }
    for (let i = events.length - 1; i >= from; i--) {
      if (events[i].timestamp! > tooNewAfter) { rejected.tooNewLogEventStartIndex = i; to = i; } else break;
    }
    this.insert(g, s, events.slice(from, to).map((e) => ({ timestamp: e.timestamp!, message: e.message! })), now);
    return { rejected: Object.keys(rejected).length ? rejected : undefined, nextSequenceToken: String(s.id).padStart(20, '0') + String(now) };
  }

  private insert(g: GroupRow, s: StreamRow, events: { timestamp: number; message: string }[], now: number): void {
    if (events.length === 0) return;
    let bytes = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const e of events) {
      this.st.insertEvent.run(s.id, g.id, e.timestamp, now, e.message);
      bytes += Buffer.byteLength(e.message) + 26;
      if (e.timestamp < min) min = e.timestamp;
      if (e.timestamp > max) max = e.timestamp;
    }
    this.st.touchStream.run(min, min, max, max, now, bytes, s.id);
    this.st.touchGroup.run(bytes, g.id);
    this.onIngest?.(g.name, events.length, bytes);
  }

  /**
   * Lines shipped by an agent's awslogs driver. Exactly once: each line carries its number within its
   * source container; lines at or below the stored cursor were stored by an earlier attempt whose answer
   * was lost (agent restart, reconnect) and are skipped, in the same transaction that stores the rest.
   * Returns the number of the last line now stored.
   */
  ingestAgentBatch(b: AgentLogBatch, now: number): { storedThrough: number; skipped: number } {
    return this.db.transaction(() => {
      let g = this.st.group.get(b.group) as GroupRow | undefined;
      if (!g) {
        if (!b.createGroup) throw new ApiError('ResourceNotFoundException', `The specified log group does not exist: ${b.group} (set awslogs-create-group to "true" or create it)`);
        this.st.insertGroup.run(b.group, now, null, 'STANDARD', '{}');
        g = this.st.group.get(b.group) as GroupRow;
      }
      let s = this.st.stream.get(g.id, b.stream) as StreamRow | undefined;
      if (!s) {
        this.st.insertStream.run(g.id, b.stream, now);
        s = this.st.stream.get(g.id, b.stream) as StreamRow;
      }
      const cur = (this.st.cursor.get(s.id, b.source) as { seq: number } | undefined)?.seq ?? -1;
      const fresh = b.events.filter((e) => e.seq > cur);
      const skip = b.events.length - fresh.length;
      this.insert(g, s, fresh, now);
      const through = Math.max(cur, b.lastSeq);
      this.st.setCursor.run(s.id, b.source, through);
      return { storedThrough: through, skipped: skip };
    })();
  }

  /** The last line number stored for a source (agent resume without a local checkpoint); -1 if none. */
  agentCursor(group: string, stream: string, source: string): number {
    const g = this.st.group.get(group) as GroupRow | undefined;
    const s = g ? (this.st.stream.get(g.id, stream) as StreamRow | undefined) : undefined;
    return s ? ((this.st.cursor.get(s.id, source) as { seq: number } | undefined)?.seq ?? -1) : -1;
  }

  getLogEvents(group: string, input: GetLogEventsRequest): GetLogEventsResponse {
    const g = this.groupRow(group);
    const s = this.streamRow(g, input.logStreamName!);
    const limit = input.limit ?? 10_000;
    const start = input.startTime ?? 0;
    const end = input.endTime ?? Number.MAX_SAFE_INTEGER;
    let dir: 'f' | 'b' = input.startFromHead ? 'f' : 'b';
    let pos: { ts: number; id: number } | undefined;
    if (input.nextToken) {
      const m = /^([fb])\/(-?\d+)\/(\d+)$/.exec(input.nextToken);
      if (!m) throw new ApiError('InvalidParameterException', 'The specified nextToken is invalid.');
      dir = m[1] as 'f' | 'b';
      pos = { ts: Number(m[2]), id: Number(m[3]) };
    }
    let rows: EventRow[];
    if (dir === 'f') {
      const p = pos ?? { ts: start - 1, id: Number.MAX_SAFE_INTEGER };
      rows = this.db.prepare(`SELECT id, ts, ingest, message FROM events WHERE stream_id = ? AND (ts > ? OR (ts = ? AND id > ?)) AND ts >= ? AND ts < ?
        ORDER BY ts, id LIMIT ?`).all(s.id, p.ts, p.ts, p.id, start, end, limit) as EventRow[];
    } else {
      const p = pos ?? { ts: end, id: 0 };
      rows = (this.db.prepare(`SELECT id, ts, ingest, message FROM events WHERE stream_id = ? AND (ts < ? OR (ts = ? AND id < ?)) AND ts >= ? AND ts < ?
        ORDER BY ts DESC, id DESC LIMIT ?`).all(s.id, p.ts, p.ts, p.id, start, end, limit) as EventRow[]).reverse();
    }
    rows = capBytes(rows);
    const events: OutputLogEvent[] = rows.map((r) => ({ timestamp: r.ts, message: r.message, ingestionTime: r.ingest }));
    if (rows.length === 0) {
      // Nothing further: hand back the same position, which is how clients know they reached the end.
      const same = input.nextToken ?? `f/${dir === 'f' ? start - 1 : end}/0`;
      return { events, nextForwardToken: same.startsWith('f') ? same : `f/${pos?.ts ?? end}/${pos?.id ?? 0}`, nextBackwardToken: same.startsWith('b') ? same : `b/${pos?.ts ?? start}/${pos?.id ?? 0}` };
    }
    const first = rows[0];
    const last = rows[rows.length - 1];
    return { events, nextForwardToken: `f/${last.ts}/${last.id}`, nextBackwardToken: `b/${first.ts}/${first.id}` };
  }

  filterLogEvents(group: string, input: FilterLogEventsRequest): FilterLogEventsResponse {
    const g = this.groupRow(group);
    if (input.logStreamNames && input.logStreamNamePrefix !== undefined) {
      throw new ApiError('InvalidParameterException', 'You cannot specify both logStreamNames and logStreamNamePrefix.');
    }
    let match: (m: string) => boolean;
    try {
      match = compileFilterPattern(input.filterPattern);
    } catch (e) {
      if (e instanceof FilterPatternError) throw new ApiError('InvalidParameterException', `Invalid filter pattern: ${e.message}`);
      throw e;
    }
    let streams: Map<number, string>;
    const all = this.db.prepare('SELECT id, name FROM streams WHERE group_id = ?').all(g.id) as { id: number; name: string }[];
    if (input.logStreamNames) {
      const want = new Set(input.logStreamNames);
      streams = new Map(all.filter((s) => want.has(s.name)).map((s) => [s.id, s.name]));
      if (streams.size === 0) throw new ApiError('ResourceNotFoundException', 'The specified log stream does not exist.');
    } else if (input.logStreamNamePrefix !== undefined) {
      streams = new Map(all.filter((s) => s.name.startsWith(input.logStreamNamePrefix!)).map((s) => [s.id, s.name]));
    } else streams = new Map(all.map((s) => [s.id, s.name]));
    const everyStream = !input.logStreamNames && input.logStreamNamePrefix === undefined;

    const limit = input.limit ?? 10_000;
    const start = input.startTime ?? 0;
    const end = input.endTime ?? Number.MAX_SAFE_INTEGER;
    let pos = { ts: start - 1, id: Number.MAX_SAFE_INTEGER };
    if (input.nextToken) {
      const t = decodeToken(input.nextToken);
      if (typeof t.ts !== 'number' || typeof t.id !== 'number') throw new ApiError('InvalidParameterException', 'The specified nextToken is invalid.');
      pos = { ts: t.ts, id: t.id };
    }
    const out: FilteredLogEvent[] = [];
    let bytes = 0;
    let scanned = 0;
    const q = this.db.prepare(`SELECT id, stream_id, ts, ingest, message FROM events WHERE group_id = ? AND (ts > ? OR (ts = ? AND id > ?)) AND ts <= ?
      ORDER BY ts, id LIMIT 2000`);
    for (;;) {
      const rows = q.all(g.id, pos.ts, pos.ts, pos.id, end) as EventRow[];
      if (rows.length === 0) return { events: out, searchedLogStreams: [] };
      for (const r of rows) {
        pos = { ts: r.ts, id: r.id };
        scanned++;
        if (!everyStream && !streams.has(r.stream_id)) continue;
        if (!match(r.message)) continue;
        bytes += Buffer.byteLength(r.message) + 26;
        out.push({ logStreamName: streams.get(r.stream_id), timestamp: r.ts, message: r.message, ingestionTime: r.ingest, eventId: String(r.id) });
        if (out.length >= limit || bytes >= MAX_REPLY_BYTES) return { events: out, nextToken: encodeToken(pos), searchedLogStreams: [] };
      }
      if (scanned >= MAX_SCAN_ROWS) return { events: out, nextToken: encodeToken(pos), searchedLogStreams: [] };
    }
  }

  /** Deletes events older than their group's retention; returns how many went. Runs on a schedule. */
  enforceRetention(now: number): number {
    let removed = 0;
    const groups = this.db.prepare('SELECT * FROM groups WHERE retention IS NOT NULL').all() as GroupRow[];
    for (const g of groups) {
      const before = now - g.retention! * DAY;
      this.db.transaction(() => {
        const gone = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(length(CAST(message AS BLOB)) + 26), 0) AS b FROM events WHERE group_id = ? AND ts < ?').get(g.id, before) as { n: number; b: number };
        if (gone.n === 0) return;
        this.db.prepare('DELETE FROM events WHERE group_id = ? AND ts < ?').run(g.id, before);
        this.db.prepare('UPDATE groups SET stored_bytes = MAX(0, stored_bytes - ?) WHERE id = ?').run(gone.b, g.id);
        this.db.prepare(`UPDATE streams SET first_ts = (SELECT MIN(ts) FROM events WHERE stream_id = streams.id) WHERE group_id = ? AND first_ts < ?`).run(g.id, before);
        removed += gone.n;
      })();
    }
    return removed;
  }

  /** Counts for Prometheus. */
  counts(): { groups: number; streams: number; events: number } {
    return this.db.prepare('SELECT (SELECT COUNT(*) FROM groups) AS groups, (SELECT COUNT(*) FROM streams) AS streams, (SELECT MAX(id) FROM events) AS events').get() as { groups: number; streams: number; events: number };
  }
}

function capBytes<T extends { message: string }>(rows: T[]): T[] {
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    bytes += Buffer.byteLength(rows[i].message) + 26;
    if (bytes > MAX_REPLY_BYTES && i > 0) return rows.slice(0, i);
  }
  return rows;
}

function encodeToken(o: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

function decodeToken(t: string): Record<string, unknown> {
  try {
    const o = JSON.parse(Buffer.from(t, 'base64url').toString('utf8')) as unknown;
    if (o && typeof o === 'object') return o as Record<string, unknown>;
  } catch { /* fall through */ }
  throw new ApiError('InvalidParameterException', 'The specified nextToken is invalid.');
}

function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
