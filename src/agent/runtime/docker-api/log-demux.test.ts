import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lines } from './log-demux.js';

const frame = (kind: number, s: string) => {
  const p = Buffer.from(s);
  const h = Buffer.alloc(8);
  h[0] = kind;
  h.writeUInt32BE(p.length, 4);
  return Buffer.concat([h, p]);
};
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
async function* chunks(b: Buffer, size: number) {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe('log demux', () => {
  it('splits frames and lines across arbitrary chunk boundaries, per stream', async () => {
    const all = Buffer.concat([frame(1, 'hel'), frame(2, 'oops\n'), frame(1, 'lo\nwor'), frame(1, 'ld\nlast')]);
    for (const size of [1, 3, 7, 1000]) {
      const got = await collect(lines(chunks(all, size), { timestamps: false, now: () => new Date(0) }));
      assert.deepEqual(got.map((l) => [l.stream, l.line]), [['stderr', 'oops'], ['stdout', 'hello'], ['stdout', 'world'], ['stdout', 'last']]);
    }
  });
  it('parses RFC 3339 timestamps', async () => {
    const got = await collect(lines(chunks(frame(1, '2026-11-28T23:17:00.123456789Z hi there\n'), 5), { timestamps: true }));
    assert.equal(got[0].line, 'hi there');
    assert.equal(got[0].time.toISOString(), '2026-11-28T23:17:00.123Z');
  });
});

it('a line logged in parts (one timestamped frame per part) comes out whole', async () => {
  const src = (async function* () {
    yield Buffer.concat([frame(1, '2026-11-29T00:07:50.000000001Z 1859\n'), frame(1, '2026-11-29T00:07:50.000000002Z 18'), frame(1, '2026-11-29T00:07:50.000000003Z 60\n')]);
  })();
  const got: string[] = [];
  for await (const l of lines(src, { timestamps: true })) got.push(l.line);
  assert.deepEqual(got, ['1859', '1860']);
});
