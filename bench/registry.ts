/**
 * B4: Wharf's registry vs Debian's docker-registry (distribution 2.8, filesystem driver), same run, loopback.
 *
 *   node dist/bench/registry.js [--sizes 1,10,100,1024] [--rounds 3] [--skopeo-max 100] [--no-small] [--short]
 *
 * For each size (MiB of random bytes, one layer) and each registry: push and pull with a streaming
 * client (node:http; monolithic POST ?digest= streamed from a page-cached file; GET that discards the
 * bytes), and with skopeo (oci: layout → docker:// and back to an oci: dir) up to --skopeo-max MiB (skopeo
 * writes and hashes on the client, ~175 MB/s here, so beyond that it measures skopeo). Plus an image of
 * 100 layers × 10 KiB through skopeo. Prints MB/s (10^6 bytes/s), ours/peer ratios, the physical ceiling
 * min(SHA-256 one core, disk write+fsync, loopback) and Wharf's peak RSS after each size.
 * Goals (issue 8): push ≥ 1.5× peer and ≥ 0.8× ceiling; pull ≥ 0.9× peer; RSS flat in blob size.
 *
 * Hygiene (bench/support/harness.ts): both registries and every file live on a real disk; each size runs
 * --rounds rounds (≥ 3), alternating which registry goes first, and the ratios are per round (median, min,
 * max). Short mode: 1 MiB, skopeo at 1 MiB, no 100-layer image.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer, connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { benchDir, flag, needs, numArg, ratio, roundsArg, runBenchmark, SHORT, strArg } from './support/harness.js';

const SIZES = strArg('sizes', '1,10,100,1024', '1').split(',').map(Number);
const ROUNDS = roundsArg();
const SKOPEO_MAX = numArg('skopeo-max', 100, 1);
const SMALL = !flag('no-small') && !SHORT;
const MiB = 1 << 20;
const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
let work = '';

interface Reg { name: string; endpoint: string; host: string; auth?: string; proc: ChildProcess; creds?: string }

const freePort = () => new Promise<number>((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => r(p)); }); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(url: string, auth?: string) {
  for (let i = 0; i < 200; i++) {
    try { await httpReq('GET', url, { auth }); return; } catch { await sleep(50); }
  }
  throw new Error(`${url} did not answer`);
}

const agent = new Agent({ keepAlive: true });
function httpReq(method: string, url: string, o: { auth?: string; headers?: Record<string, string | number>; body?: NodeJS.ReadableStream | Buffer; discard?: boolean } = {}): Promise<{ status: number; headers: Record<string, unknown>; bytes: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { ...(o.auth ? { Authorization: o.auth } : {}), ...o.headers } }, (res) => {
      let bytes = 0; let body = '';
      res.on('data', (c: Buffer) => { bytes += c.length; if (!o.discard && body.length < 4096) body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (o.body === undefined) req.end();
    else if (Buffer.isBuffer(o.body)) req.end(o.body);
    else o.body.pipe(req);
  });
}

async function startPeer(): Promise<Reg> {
  const port = await freePort();
  const dir = join(work, 'peer-data');
  mkdirSync(dir, { recursive: true });
  const cfg = join(work, 'peer.yml');
  writeFileSync(cfg, `version: 0.1\nlog: {level: error}\nstorage:\n  filesystem: {rootdirectory: ${dir}}\n  delete: {enabled: true}\nhttp: {addr: 127.0.0.1:${port}}\n`);
  const proc = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  const r: Reg = { name: 'docker-registry', endpoint: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, proc };
  await waitFor(`${r.endpoint}/v2/`);
  return r;
}

async function startWharf(): Promise<Reg> {
  const port = await freePort();
  const dir = join(work, 'wharf-data');
  const proc = spawn(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), 'server', '--port', String(port), '--data-dir', dir, '--log-level', 'warn'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) { try { readFileSync(join(dir, 'admin-credentials.json')); break; } catch { await sleep(50); } }
  const c = JSON.parse(readFileSync(join(dir, 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
  const creds = `${c.accessKeyId}:${c.secretAccessKey}`;
  const r: Reg = { name: 'wharf', endpoint: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, proc, auth: 'Basic ' + Buffer.from(creds).toString('base64'), creds };
  await waitFor(`${r.endpoint}/v2/`, r.auth);
  return r;
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A file of random bytes (written in 1 MiB pieces: memory stays flat for 1 GiB) and its digest. */
async function randomFile(path: string, bytes: number): Promise<string> {
  const h = createHash('sha256');
  const ws = createWriteStream(path);
  for (let off = 0; off < bytes; off += MiB) {
    const b = randomBytes(Math.min(MiB, bytes - off));
    h.update(b);
    if (!ws.write(b)) await new Promise<void>((r) => ws.once('drain', () => r()));
  }
  await new Promise<void>((r) => ws.end(() => r()));
  return 'sha256:' + h.digest('hex');
}

const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/** An OCI layout whose layers are the given files (opaque bytes, typed gzip: registries never look inside). */
async function layout(dir: string, layers: { path: string; digest: string; size: number }[]): Promise<void> {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  for (const l of layers) spawnSync('ln', ['-f', l.path, join(blobs, l.digest.slice(7))]);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }));
  writeFileSync(join(blobs, sha(config).slice(7)), config);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length }, layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })) }));
  writeFileSync(join(blobs, sha(manifest).slice(7)), manifest);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }));
}

async function rawPush(r: Reg, repo: string, file: string, digest: string, size: number): Promise<number> {
  const t = process.hrtime.bigint();
  const res = await httpReq('POST', `${r.endpoint}/v2/${repo}/blobs/uploads/`, { auth: r.auth });
  const loc = String(res.headers.location);
  const url = new URL(loc, r.endpoint);
  url.searchParams.set('digest', digest);
  const put = await httpReq('PUT', url.toString(), { auth: r.auth, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': size }, body: createReadStream(file, { highWaterMark: MiB }) });
  if (put.status !== 201) throw new Error(`${r.name} push: ${put.status} ${put.body}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function rawPull(r: Reg, repo: string, digest: string, size: number): Promise<number> {
  const t = process.hrtime.bigint();
  const res = await httpReq('GET', `${r.endpoint}/v2/${repo}/blobs/${digest}`, { auth: r.auth, discard: true });
  if (res.status !== 200 || res.bytes !== size) throw new Error(`${r.name} pull: ${res.status} ${res.bytes}/${size}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function timed(cmd: string, a: string[]): number {
  const t = process.hrtime.bigint();
  const p = spawnSync(cmd, a, { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`${cmd} ${a.join(' ')}: ${p.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}
const skopeoPush = (r: Reg, dir: string, ref: string) => timed('skopeo', ['copy', '-q', '--dest-tls-verify=false', ...(r.creds ? ['--dest-creds', r.creds] : []), `oci:${dir}:latest`, `docker://${r.host}/${ref}`]);
const skopeoPull = (r: Reg, ref: string, out: string) => { rmSync(out, { recursive: true, force: true }); return timed('skopeo', ['copy', '-q', '--src-tls-verify=false', ...(r.creds ? ['--src-creds', r.creds] : []), `docker://${r.host}/${ref}`, `oci:${out}:x`]); };

async function ceilings(): Promise<{ sha: number; disk: number; loop: number }> {
  const buf = randomBytes(256 * MiB);
  let t = process.hrtime.bigint();
  createHash('sha256').update(buf).digest();
  const shaRate = buf.length / (Number(process.hrtime.bigint() - t) / 1e9) / 1e6;
  const f = join(work, 'dd.bin');
  t = process.hrtime.bigint();
  spawnSync('dd', ['if=/dev/urandom', 'of=/dev/null', 'count=0']);
  writeFileSync(f, buf);
  spawnSync('sync', [f]);
  const fh = (await import('node:fs/promises')).open;
  const h = await fh(f, 'r+'); await h.sync(); await h.close();
  const disk = buf.length / (Number(process.hrtime.bigint() - t) / 1e9) / 1e6;
  rmSync(f);
  // Loopback: one Node client writing 1 MiB buffers for 1.5 s to a discarding server.
  const loop = await new Promise<number>((resolve) => {
    const srv = createServer((s) => s.resume()).listen(0, '127.0.0.1', () => {
      const c = connect((srv.address() as AddressInfo).port, '127.0.0.1');
      const chunk = buf.subarray(0, MiB);
      let sent = 0; const start = Date.now();
      const pump = () => { while (Date.now() - start < 1500) { sent += chunk.length; if (!c.write(chunk)) { c.once('drain', pump); return; } } c.end(); srv.close(); resolve(sent / ((Date.now() - start) / 1000) / 1e6); };
      c.on('connect', pump);
    });
  });
  return { sha: shaRate, disk, loop };
}

const mbps = (bytes: number, s: number) => bytes / s / 1e6;
const med = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); return a[Math.floor(a.length / 2)]; };

async function main() {
  needs('docker-registry', 'skopeo');
  work = benchDir('registry');
  const ceil = await ceilings();
  const ceiling = Math.min(ceil.sha, ceil.disk, ceil.loop);
  console.log(`ceilings (MB/s): sha256 1 core ${ceil.sha.toFixed(0)}, disk write+fsync ${ceil.disk.toFixed(0)}, node loopback ${ceil.loop.toFixed(0)} → push ceiling ${ceiling.toFixed(0)}`);
  const peer = await startPeer();
  const wharf = await startWharf();
  const regs = [wharf, peer];
  const rows: string[][] = [];
  const ratios: Record<string, number> = {};
  const ratioLines: [string, number[], string][] = [];
  try {
    for (const size of SIZES) {
      const bytes = size * MiB;
      const res: Record<string, Record<string, number[]>> = { wharf: {}, 'docker-registry': {} };
      for (let round = 0; round < ROUNDS; round++) {
        // Fresh content per round and registry: nothing is deduplicated or mounted.
        for (const r of (round % 2 ? [...regs].reverse() : regs)) {
          const f = join(work, `l${size}-${r.name}-${round}.bin`);
          const d = await randomFile(f, bytes);
          const repo = `bench/raw${size}-${round}`;
          const add = (k: string, v: number) => ((res[r.name][k] ??= []).push(v));
          add('raw push', mbps(bytes, await rawPush(r, repo, f, d, bytes)));
          add('raw pull', mbps(bytes, await rawPull(r, repo, d, bytes)));
          if (size <= SKOPEO_MAX) {
            const f2 = join(work, `s${size}-${r.name}-${round}.bin`);
            const d2 = await randomFile(f2, bytes);
            const dir = join(work, `oci-${size}-${r.name}-${round}`);
            await layout(dir, [{ path: f2, digest: d2, size: bytes }]);
            add('skopeo push', mbps(bytes, skopeoPush(r, dir, `bench/sk${size}-${round}:1`)));
            add('skopeo pull', mbps(bytes, skopeoPull(r, `bench/sk${size}-${round}:1`, join(work, 'pull-out'))));
            rmSync(dir, { recursive: true, force: true }); rmSync(f2);
          }
          rmSync(f);
        }
      }
      for (const k of Object.keys(res.wharf)) {
        const ours = med(res.wharf[k]), theirs = med(res['docker-registry'][k]);
        const perRound = res.wharf[k].map((x, i) => x / res['docker-registry'][k][i]!);
        ratios[`${k} ${size} MiB`] = med(perRound);
        rows.push([`${k} ${size} MiB`, ours.toFixed(0), theirs.toFixed(0), med(perRound).toFixed(2) + '×', k.includes('push') ? (ours / ceiling).toFixed(2) + '×' : '']);
        ratioLines.push([`registry ${k} ${size} MiB wharf/docker-registry`, perRound, k.includes('push') ? '≥ 1.5' : '≥ 0.9']);
        if (k.includes('push')) ratioLines.push([`registry ${k} ${size} MiB wharf/ceiling ${ceiling.toFixed(0)} MB/s`, res.wharf[k].map((x) => x / ceiling), '≥ 0.8']);
      }
      rows.push([`  wharf peak RSS after ${size} MiB`, peakRssMiB(wharf.proc.pid!).toFixed(0) + ' MiB', '', '', '']);
    }
    if (SMALL) {
      const out: Record<string, { push: number[]; pull: number[] }> = { wharf: { push: [], pull: [] }, 'docker-registry': { push: [], pull: [] } };
      for (let round = 0; round < ROUNDS; round++) {
        for (const r of (round % 2 ? [...regs].reverse() : regs)) {
          const dir = join(work, `small-${r.name}-${round}`);
          const layers = [];
          for (let i = 0; i < 100; i++) { const p = join(work, `sm-${r.name}-${round}-${i}.bin`); layers.push({ path: p, digest: await randomFile(p, 10 * 1024), size: 10 * 1024 }); }
          await layout(dir, layers);
          out[r.name]!.push.push(skopeoPush(r, dir, `bench/small${round}:1`));
          out[r.name]!.pull.push(skopeoPull(r, `bench/small${round}:1`, join(work, 'pull-small')));
          rmSync(dir, { recursive: true, force: true });
        }
      }
      for (const k of ['push', 'pull'] as const) {
        const ours = out.wharf![k], theirs = out['docker-registry']![k];
        const perRound = ours.map((x, i) => theirs[i]! / x);
        ratios[`skopeo ${k} 100×10 KiB`] = med(perRound);
        rows.push([`skopeo ${k} 100×10 KiB (s)`, med(ours).toFixed(2), med(theirs).toFixed(2), med(perRound).toFixed(2) + '× (speed)', '']);
        ratioLines.push([`registry skopeo ${k} 100×10 KiB speed wharf/docker-registry`, perRound, k === 'push' ? '≥ 1.5' : '≥ 0.9']);
      }
    }
  } finally {
    wharf.proc.kill('SIGTERM'); peer.proc.kill('SIGTERM');
    await sleep(300);
    rmSync(work, { recursive: true, force: true });
  }
  const w = [34, 10, 16, 16, 12];
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join(' ');
  console.log(line(['case (MB/s unless noted)', 'wharf', 'docker-registry', 'ratio', 'vs ceiling']));
  for (const r of rows) console.log(line(r));
  for (const [name, perRound, goal] of ratioLines) ratio(name, perRound, { goal });
}

runBenchmark('Registry (bench/registry.ts)', main);
