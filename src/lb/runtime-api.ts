/**
 * HAProxy's runtime API over its unix stats socket: one connection per call, commands joined with `;`
 * (HAProxy runs them in order and closes the connection after the last answer).
 */
import { connect } from 'node:net';

export async function runtimeCommand(socketPath: string, command: string, opts: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let out = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`haproxy runtime API timed out on: ${command}`)); }, opts.timeoutMs ?? 5000);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(command + '\n'));
    sock.on('data', (d: string) => { out += d; });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.on('close', () => { clearTimeout(timer); resolve(out); });
  });
}

export interface StatRow {
  readonly [column: string]: string;
}

/** Parses `show stat` CSV (`# pxname,svname,…` header). */
export function parseStatCsv(text: string): StatRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || !lines[0].startsWith('# ')) return [];
  const cols = lines[0].slice(2).split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    const row: Record<string, string> = {};
    cols.forEach((c, i) => { if (c) row[c] = cells[i] ?? ''; });
    return row;
  });
}

export interface ServerState {
  readonly backend: string;
  readonly server: string;
  readonly address: string;
  readonly port: number;
  /** srv_admin_state bits: 0x01 forced maintenance, 0x08 forced drain (see HAProxy's management guide). */
  readonly adminState: number;
  readonly opState: number;
}

/** Parses `show servers state` (version line, `# be_id be_name …` header, space-separated rows). */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) return [];
  const cols = header.slice(2).split(' ');
  const idx = (n: string) => cols.indexOf(n);
  return lines.filter((l) => !l.startsWith('#') && l.includes(' ')).map((l) => {
    const c = l.split(' ');
    return {
      backend: c[idx('be_name')], server: c[idx('srv_name')], address: c[idx('srv_addr')], port: Number(c[idx('srv_port')]),
      adminState: Number(c[idx('srv_admin_state')]), opState: Number(c[idx('srv_op_state')]),
    };
  });
}

export const ADMIN_FMAINT = 0x01;
export const ADMIN_FDRAIN = 0x08;
