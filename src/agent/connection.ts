/**
 * The agent's one WebSocket to the dispatcher (protocol: src/protocol/agent-messages.ts).
 *
 *   idle ─ start() ─► connecting ─ open ─► registering ─ 'registered' ─► ready
 *     ▲                   │ error/close        │ close                    │ close / no pong in 30 s
 *     └──── back-off ◄────┴────────────────────┴──────────────────────────┘
 *   close() from any state ─► closed (final)
 *
 * Back-off: attempt n waits d/2 + random·d/2 with d = min(10 s, 250 ms · 2^n) ("equal jitter": never
 * zero, so a restarted server is not hit by every agent in the same millisecond, and never more than
 * 10 s, so an agent is back within ~10 s of the server). Reset once registered.
 * Heartbeat: a ws ping every 10 s; no pong for 30 s ⇒ the socket is dead (a half-open TCP connection
 * after a partition never errors by itself) ⇒ terminate and reconnect. Same numbers as the dispatcher's.
 * Several servers (HA on etcd, docs/ha.md): `url` lists them, comma-separated; every failed attempt and
 * every lost connection moves to the next one, so an agent whose server died registers with another
 * after one back-off step (125–250 ms) — and registering resends its full state, as after any reconnect.
 */
import WebSocket from 'ws';
import type { AgentMessage, ServerMessage } from '../protocol/agent-messages.js';
import { silentLogger, type AgentLogger } from './clock.js';

export interface ConnectionOptions {
  /** ws(s)://host:port/agent, or http(s)://host:port (the /agent path is added); several, comma-separated. */
  url: string;
  token: string;
  /** The register message, built fresh for every connect (resources change). */
  register: () => Promise<AgentMessage> | AgentMessage;
  onRegistered: (msg: Extract<ServerMessage, { type: 'registered' }>) => void;
  onMessage: (msg: ServerMessage) => void;
  /** A fatal error (token rejected before ever registering, or a fatal `error` message): the agent should exit. */
  onFatal: (message: string) => void;
  log?: AgentLogger;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
}

export function agentUrl(server: string): string {
  const u = new URL(server);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  if (!u.pathname.endsWith('/agent')) u.pathname = u.pathname.replace(/\/$/, '') + '/agent';
  return u.toString();
}

export function backoffDelay(attempt: number, opts: { baseMs?: number; capMs?: number; random?: () => number } = {}): number {
  const d = Math.min(opts.capMs ?? 10_000, (opts.baseMs ?? 250) * 2 ** Math.min(attempt, 20));
  return d / 2 + (opts.random ?? Math.random)() * (d / 2);
}

export class AgentConnection {
  private ws: WebSocket | null = null;
  private state: 'idle' | 'connecting' | 'registering' | 'ready' | 'closed' = 'idle';
  private attempt = 0;
  private everRegistered = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private lastPong = 0;
  private readonly log: AgentLogger;
  readonly urls: readonly string[];
  private current = 0;
  /** Number of successful registrations (1 = first connect). */
  connects = 0;

  constructor(private readonly o: ConnectionOptions) {
    this.log = o.log ?? silentLogger;
    this.urls = o.url.split(',').map((u) => u.trim()).filter(Boolean).map(agentUrl);
    if (this.urls.length === 0) throw new Error('no server URL given');
  }

  /** The server this agent is connected to, or tries next. */
  get url(): string {
    return this.urls[this.current]!;
  }

  /** After a failed attempt or a lost connection: the next server of the list (the same one when there is one). */
  private next(): void {
    this.current = (this.current + 1) % this.urls.length;
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  /** Sends when registered; false otherwise (the caller keeps the message for later). */
  send(msg: AgentMessage): boolean {
    if (this.state !== 'ready' || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  close(): void {
    this.state = 'closed';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.ws?.close(1001, 'agent shutting down');
    this.ws?.terminate();
    this.ws = null;
  }

  private connect(): void {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    const ws = new WebSocket(this.url, { headers: { Authorization: `Bearer ${this.o.token}` }, handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      const code = res.statusCode ?? 0;
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        const msg = `dispatcher refused the connection: HTTP ${code}${body ? ` ${body.slice(0, 200)}` : ''}`;
        if ((code === 401 || code === 403) && !this.everRegistered) {
          this.o.onFatal(`${msg} — the join token was rejected; get the current one from the server (\`wharf server\` prints it; it is in <server data dir>/join-token) and pass --token`);
          this.close();
          return;
        }
        this.log.warn({ code, server: this.url }, msg);
        ws.terminate();
      });
    });
    ws.on('open', async () => {
      this.state = 'registering';
      this.lastPong = Date.now();
      this.startHeartbeat(ws);
      try {
        ws.send(JSON.stringify(await this.o.register()));
      } catch (e) {
        this.log.error({ err: String(e) }, 'could not build the register message');
        ws.terminate();
      }
    });
    ws.on('pong', () => (this.lastPong = Date.now()));
    ws.on('message', (data) => {
      let msg: ServerMessage;
      try {
        msg = JSON.parse(data.toString()) as ServerMessage;
      } catch {
        this.log.warn({}, 'dispatcher sent a message that is not JSON; ignored');
        return;
      }
      if (msg.type === 'registered') {
        this.state = 'ready';
        this.attempt = 0;
        this.everRegistered = true;
        this.connects++;
        this.o.onRegistered(msg);
        return;
      }
      if (msg.type === 'error') {
        this.log.error({ code: msg.code, fatal: msg.fatal }, `dispatcher error: ${msg.message}`);
        if (msg.fatal) {
          this.o.onFatal(`${msg.code}: ${msg.message}`);
          this.close();
        }
        return;
      }
      this.o.onMessage(msg);
    });
    ws.on('error', (e) => this.log.debug({ err: e.message }, 'connection error'));
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.ws = null;
      if (this.state === 'closed') return;
      const wasReady = this.state === 'ready';
      this.state = 'idle';
      const from = this.url;
      this.next();
      const delay = backoffDelay(this.attempt++, { baseMs: this.o.backoffBaseMs, capMs: this.o.backoffCapMs });
      (wasReady ? this.log.warn : this.log.debug).call(this.log, { code, reason: reason.toString(), retryInMs: Math.round(delay), server: from, next: this.url }, 'disconnected from the dispatcher; tasks keep running');
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private startHeartbeat(ws: WebSocket): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    const every = this.o.pingIntervalMs ?? 10_000;
    const timeout = this.o.pongTimeoutMs ?? 30_000;
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastPong > timeout) {
        this.log.warn({ silentMs: Date.now() - this.lastPong }, 'no pong from the dispatcher; reconnecting');
        ws.terminate();
        return;
      }
      try {
        ws.ping();
      } catch {
        // closing; the close handler reconnects
      }
    }, every);
  }
}
