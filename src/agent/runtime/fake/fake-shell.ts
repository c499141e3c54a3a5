/**
 * A tiny interpreter for the busybox shell subset the conformance suite and agent tests use, so the fake
 * runtime's containers *do* what the same command would do in a real one, in memory and deterministically.
 *
 * Supported: `sh -c SCRIPT` or a bare argv. Statements split on `;`, newlines, `&&`, `&` (a background job
 * followed by `wait` behaves like running it in the foreground). Words: '…', "…" with $VAR, bare $VAR.
 * Commands: echo [>&2], sleep N, exit [N], true, false, trap ACTION SIG…, wait, pwd, id -u, ulimit -n,
 * printenv NAME, touch PATH (fails on a read-only rootfs), tail /dev/zero (allocates without bound: OOM
 * when a memory limit is set), httpd (serves forever; the fake opens no sockets), cat PATH… (the files
 * fake-files.ts synthesizes from the spec; bare `cat` reads stdin: EOF at once unless stdin is open),
 * hostname, tty. Anything else is
 * `sh: X: not found` (127), or, as PID 1, a start failure like runc's.
 */

export interface ShellContext {
  env: Record<string, string>;
  workingDir: string;
  user: string;
  nofile: number;
  readonlyRootfs: boolean;
  memoryLimited: boolean;
  /** PID 1 without an init ignores signals it has no handler for (the kernel drops them). */
  pid1: boolean;
  /** A file's contents as the container sees it, or undefined when absent. */
  file(path: string): string | undefined;
  /** The main process has a terminal (tty) / an open stdin (interactive). */
  tty: boolean;
  stdinOpen: boolean;
  write(stream: 'stdout' | 'stderr', line: string): void;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const KNOWN_COMMANDS = new Set([
  'sh', 'echo', 'sleep', 'exit', 'true', 'false', 'trap', 'wait', 'pwd', 'id', 'ulimit', 'printenv', 'touch', 'tail', 'httpd',
  'cat', 'hostname', 'tty',
]);

/** Terminated by a signal, or by `exit`. */
class Exit {
  constructor(readonly code: number) {}
}
export const OOM_EXIT = 137;
const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, USR1: 10, USR2: 12, TERM: 15 };
export const signalName = (s: string) => s.toUpperCase().replace(/^SIG/, '');
export const signalNumber = (s: string) => SIGNALS[signalName(s)] ?? 15;

export class OomKilled extends Error {}

export function commandName(argv: string[]): string {
  return (argv[0] ?? '').split('/').pop() ?? '';
}

/** A running program: `result` settles with its exit code; `signal()` delivers a signal to it. */
export class FakeProcess {
  readonly result: Promise<{ code: number; oom: boolean }>;
  private readonly traps = new Map<string, string>();
  private interrupt = new AbortController();
  private pendingTrap: string | null = null;
  private killed = false;

  constructor(argv: string[], private readonly ctx: ShellContext) {
    this.result = this.main(argv);
  }

  signal(sig: string): void {
    const name = signalName(sig);
    if (name === 'KILL') {
      this.killed = true;
      this.interrupt.abort();
      return;
    }
    const action = this.traps.get(name);
    if (action === '') return;
    if (action !== undefined) {
      this.pendingTrap = action;
      this.interrupt.abort();
      return;
    }
    if (this.ctx.pid1) return;
    this.pendingTrap = `exit ${128 + signalNumber(name)}`;
    this.interrupt.abort();
  }

  private async main(argv: string[]): Promise<{ code: number; oom: boolean }> {
    try {
      const script = commandName(argv) === 'sh' && argv[1] === '-c' ? argv[2] ?? '' : null;
      const code = script === null ? await this.command(argv) : await this.script(script);
      return { code, oom: false };
    } catch (e) {
      if (e instanceof Exit) return { code: e.code, oom: false };
      if (e instanceof OomKilled) return { code: OOM_EXIT, oom: true };
      throw e;
    }
  }

  private async script(src: string): Promise<number> {
    let status = 0;
    for (const stmt of splitStatements(src)) {
      if (stmt.op === '&&' && status !== 0) continue;
      status = await this.command(words(stmt.text, this.ctx.env));
    }
    return status;
  }

  /** Waits, but returns early to run a trap, and throws on SIGKILL. */
  private async block(ms: number): Promise<void> {
    for (;;) {
      if (this.killed) throw new Exit(137);
      if (this.pendingTrap !== null) {
        const action = this.pendingTrap;
        this.pendingTrap = null;
        await this.script(action);
        return;
      }
      try {
        await this.ctx.sleep(ms, this.interrupt.signal);
        return;
      } catch {
        this.interrupt = new AbortController();
      }
    }
  }

  private async command(argv: string[]): Promise<number> {
    if (this.killed) throw new Exit(137);
    const w = this.ctx.write;
    const [cmd, ...args] = [commandName(argv), ...argv.slice(1)];
    switch (cmd) {
      case '':
        return 0;
      case 'echo': {
        const toErr = args[args.length - 1] === '>&2';
        w(toErr ? 'stderr' : 'stdout', (toErr ? args.slice(0, -1) : args).join(' '));
        return 0;
      }
      case 'sleep':
        await this.block(Number(args[0] ?? 0) * 1000);
        return 0;
      case 'exit':
        throw new Exit(Number(args[0] ?? 0));
      case 'true':
      case 'wait':
        return 0;
      case 'false':
        return 1;
      case 'trap': {
        const [action, ...sigs] = args;
        for (const s of sigs) this.traps.set(signalName(s), action ?? '');
        return 0;
      }
      case 'pwd':
        w('stdout', this.ctx.workingDir);
        return 0;
      case 'id':
        w('stdout', this.ctx.user.split(':')[0] || '0');
        return 0;
      case 'ulimit':
        w('stdout', String(this.ctx.nofile));
        return 0;
      case 'printenv':
        if (this.ctx.env[args[0]] === undefined) return 1;
        w('stdout', this.ctx.env[args[0]]);
        return 0;
      case 'touch':
        if (!this.ctx.readonlyRootfs) return 0;
        w('stderr', `touch: ${args[0]}: Read-only file system`);
        return 1;
      case 'tail':
        if (args[0] === '/dev/zero' && this.ctx.memoryLimited) throw new OomKilled();
        await this.block(Number.MAX_SAFE_INTEGER >>> 0);
        return 0;
      case 'httpd':
        for (;;) await this.block(3_600_000);
      case 'cat': {
        if (args.length === 0) {
          if (this.ctx.stdinOpen) for (;;) await this.block(3_600_000);
          return 0;
        }
        let status = 0;
        for (const a of args) {
          const text = this.ctx.file(a);
          if (text === undefined) {
            w('stderr', `cat: can't open '${a}': No such file or directory`);
            status = 1;
          } else for (const l of text.split('\n').slice(0, -1)) w('stdout', l);
        }
        return status;
      }
      case 'hostname':
        w('stdout', (this.ctx.file('/etc/hostname') ?? '').trim());
        return 0;
      case 'tty':
        w('stdout', this.ctx.tty ? '/dev/pts/0' : 'not a tty');
        return this.ctx.tty ? 0 : 1;
      case 'sh':
        return this.script(args[0] === '-c' ? args[1] ?? '' : '');
      default:
        w('stderr', `sh: ${cmd}: not found`);
        return 127;
    }
  }
}

export function splitStatements(src: string): { text: string; op: ';' | '&&' }[] {
  const out: { text: string; op: ';' | '&&' }[] = [];
  let cur = '';
  let quote: string | null = null;
  let op: ';' | '&&' = ';';
  const push = (next: ';' | '&&') => {
    if (cur.trim()) out.push({ text: cur.trim(), op });
    cur = '';
    op = next;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === '&' && src[i + 1] === '&') {
      push('&&');
      i++;
    } else if (c === '&' && src[i - 1] !== '>') {
      push(';');
    } else if (c === ';' || c === '\n') {
      push(';');
    } else {
      cur += c;
    }
  }
  push(';');
  return out;
}

export function words(text: string, env: Record<string, string>): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  const expand = (s: string) => s.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, n: string) => env[n] ?? '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      cur += text.slice(i + 1, end);
      i = end;
      has = true;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      cur += expand(text.slice(i + 1, end));
      i = end;
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
      if (m) {
        cur += env[m[1]] ?? '';
        i += m[0].length - 1;
      } else cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}
