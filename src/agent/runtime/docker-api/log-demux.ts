/**
 * Docker's multiplexed attach/logs stream → lines. Pure (works on any async iterable of bytes).
 *
 * Without a TTY the Engine API frames output as [stream u8, 0, 0, 0, length u32 BE] + payload, where
 * stream 1 = stdout and 2 = stderr. A frame can hold part of a line or several lines, and a header can be
 * split across chunks, so bytes are buffered until a frame is whole and text until a newline arrives.
 * With `timestamps=1` each line starts with an RFC 3339 time and a space. A container with a TTY
 * (`raw`) has no frames: its one stream is the terminal's output, reported as stdout.
 */
import type { LogLine } from '../driver.js';

export interface Frame {
  stream: 'stdout' | 'stderr';
  payload: Buffer;
}

export async function* frames(source: AsyncIterable<Buffer | string>, raw = false): AsyncGenerator<Frame> {
  if (raw) {
    for await (const chunk of source) yield { stream: 'stdout', payload: Buffer.from(chunk) };
    return;
  }
  let buf = Buffer.alloc(0);
  for await (const chunk of source) {
    buf = buf.length ? Buffer.concat([buf, Buffer.from(chunk)]) : Buffer.from(chunk);
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const kind = buf[0];
      const payload = buf.subarray(8, 8 + size);
      buf = buf.subarray(8 + size);
      if (kind === 1 || kind === 2) yield { stream: kind === 2 ? 'stderr' : 'stdout', payload: Buffer.from(payload) };
    }
  }
}

const CONTINUATION_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) /;

/** Split frames into lines; a trailing partial line is emitted at the end of the stream. */
export async function* lines(source: AsyncIterable<Buffer | string>, opts: { timestamps: boolean; raw?: boolean; now?: () => Date }): AsyncGenerator<LogLine> {
  const now = opts.now ?? (() => new Date());
  const partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const emit = (stream: 'stdout' | 'stderr', raw: string): LogLine => {
    if (opts.timestamps) {
      const sp = raw.indexOf(' ');
      const t = sp > 0 ? new Date(raw.slice(0, sp)) : new Date(NaN);
      if (!Number.isNaN(t.getTime())) return { stream, line: raw.slice(sp + 1), time: t };
    }
    return { stream, line: raw, time: now() };
  };
  for await (const f of frames(source, opts.raw)) {
    let chunk = f.payload.toString('utf8');
    // A line the runtime logged in parts (conmon's "P" entries, Docker's 16 KiB partials) arrives as one
    // frame per part, each with its own timestamp: drop the continuation's, or it lands inside the line.
    if (opts.timestamps && partial[f.stream]) chunk = chunk.replace(CONTINUATION_TS, '');
    const text = partial[f.stream] + chunk;
    const parts = text.split('\n');
    partial[f.stream] = parts.pop() ?? '';
    for (const p of parts) yield emit(f.stream, p.endsWith('\r') ? p.slice(0, -1) : p);
  }
  for (const s of ['stdout', 'stderr'] as const) if (partial[s]) yield emit(s, partial[s]);
}
