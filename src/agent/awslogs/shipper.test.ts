import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogShipping, type LogTransport } from './shipper.js';
import { MemoryLogCheckpoints } from './checkpoint.js';
import { datetimeRegex, parseAwsLogsOptions, parseSize, streamName } from './options.js';
import type { LogLine, LogOptions } from '../runtime/driver.js';
import { LogsStore } from '../../telemetry/logs-store.js';

const TASK = 'arn:aws:ecs:us-east-1:000000000000:task/c/0123456789abcdef0123456789abcdef';

/** A runtime whose log is an array; `follow` ends at the end of the array (the container exited). */
function fakeDriver(lines: LogLine[]) {
  return {
    async *logs(_id: string, o: LogOptions = {}): AsyncGenerator<LogLine> {
      for (const l of lines) {
        if (o.signal?.aborted) return;
        if (o.since && l.time < o.since) continue;
        yield l;
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

function withStore<T>(f: (s: LogsStore) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-logs-'));
  const s = new LogsStore(join(dir, 'logs.db'), { region: 'us-east-1', accountId: '000000000000' });
  return f(s).finally(() => { s.close(); rmSync(dir, { recursive: true, force: true }); });
}

const storeTransport = (s: LogsStore, opts: { loseReplyOnce?: boolean } = {}): LogTransport & { calls: number } => {
  let lost = false;
  const t = {
    calls: 0,
    async send(b: Parameters<LogTransport['send']>[0]) {
      t.calls++;
      const r = s.ingestAgentBatch(b, Date.now());
      if (opts.loseReplyOnce && !lost) { lost = true; throw new Error('connection reset'); }
      return r;
    },
  };
  return t;
};

const messages = (s: LogsStore, group: string) => (s.filterLogEvents(group, {}).events ?? []).map((e) => e.message);

test('options: stream name, sizes, datetime format', () => {
  const o = parseAwsLogsOptions({ 'awslogs-group': 'g', 'awslogs-stream-prefix': 'web', 'awslogs-create-group': 'true', mode: 'non-blocking', 'max-buffer-size': '4m' });
  assert.equal(streamName(o, 'app', TASK, 'abc'), 'web/app/0123456789abcdef0123456789abcdef');
  assert.equal(streamName({}, 'app', TASK, 'abc'), 'abc');
  assert.equal(o.maxBufferBytes, 4 * 1024 * 1024);
  assert.equal(parseSize('512k'), 512 * 1024);
  assert.ok(datetimeRegex('%Y-%m-%d %H:%M:%S').test('2024-01-02 03:04:05 hello'));
  assert.ok(!datetimeRegex('%Y-%m-%d').test('  at foo'));
  assert.throws(() => parseAwsLogsOptions({}), /awslogs-group/);
});

test('ships every line once, even when a reply is lost and the agent restarts from an old checkpoint', () => withStore(async (s) => {
  const t0 = 1_700_000_000_000;
  // Several lines share a millisecond: the checkpoint must count them.
  const lines: LogLine[] = Array.from({ length: 500 }, (_, i) => ({ stream: 'stdout', line: `line ${i}`, time: new Date(t0 + Math.floor(i / 3)) }));
  const cps = new MemoryLogCheckpoints();
  const req = { taskArn: TASK, containerName: 'app', runtimeId: 'ctr1', options: { 'awslogs-group': 'g', 'awslogs-stream-prefix': 'p', 'awslogs-create-group': 'true' } };
  // First agent: sees half the log, one reply lost (the batch was stored), then it dies.
  const half = new LogShipping({ driver: fakeDriver(lines.slice(0, 250)), transport: storeTransport(s, { loseReplyOnce: true }), checkpoints: cps, flushMs: 5 });
  half.start(req);
  await half.drained('ctr1');
  const cp = cps.load('ctr1')!;
  cps.save('ctr1', { seq: Math.max(-1, cp.seq - 100), ts: lines[Math.max(0, cp.seq - 100)].time.getTime(), nAtTs: ((cp.seq - 100) % 3) + 1 }); // an older (crash-time) checkpoint
  // Second agent: the whole log.
  const all = new LogShipping({ driver: fakeDriver(lines), transport: storeTransport(s), checkpoints: cps, flushMs: 5 });
  all.start(req);
  await all.drained('ctr1');
  const got = messages(s, 'g');
  assert.equal(got.length, 500);
  assert.deepEqual(got, lines.map((l) => l.line));
  assert.equal(cps.load('ctr1')!.done, true);
}));

test('multiline pattern groups continuation lines into one event', () => withStore(async (s) => {
  const t0 = 1_700_000_000_000;
  const text = ['INFO start', 'ERROR boom', '  at a()', '  at b()', 'INFO end'];
  const lines: LogLine[] = text.map((line, i) => ({ stream: 'stdout', line, time: new Date(t0 + i) }));
  const sh = new LogShipping({ driver: fakeDriver(lines), transport: storeTransport(s), checkpoints: new MemoryLogCheckpoints(), flushMs: 5 });
  sh.start({ taskArn: TASK, containerName: 'app', runtimeId: 'm1', options: { 'awslogs-group': 'g', 'awslogs-create-group': 'true', 'awslogs-multiline-pattern': '^(INFO|ERROR)' } });
  await sh.drained('m1');
  assert.deepEqual(messages(s, 'g'), ['INFO start', 'ERROR boom\n  at a()\n  at b()', 'INFO end']);
}));

test('a missing group without awslogs-create-group is retried, not dropped', () => withStore(async (s) => {
  const lines: LogLine[] = [{ stream: 'stdout', line: 'hello', time: new Date(1_700_000_000_000) }];
  const t = storeTransport(s);
  const sh = new LogShipping({ driver: fakeDriver(lines), transport: t, checkpoints: new MemoryLogCheckpoints(), flushMs: 5 });
  sh.start({ taskArn: TASK, containerName: 'app', runtimeId: 'x1', options: { 'awslogs-group': 'late' } });
  // Retried: the transport is called again after the first failure (not once, then dropped).
  for (const deadline = Date.now() + 5000; t.calls < 2;) {
    assert.ok(Date.now() < deadline, `the shipper did not retry the missing group within 5 s (${t.calls} call(s))`);
    await new Promise((r) => setTimeout(r, 10));
  }
  s.createLogGroup({ logGroupName: 'late' }, Date.now());
  await sh.drained('x1');
  assert.deepEqual(messages(s, 'late'), ['hello']);
}));
