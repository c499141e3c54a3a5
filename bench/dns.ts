/**
 * Issue 22 benchmark: DNS answer latency of Wharf's DNS server for a Cloud Map name (goal: p99 ≤ 1 ms),
 * against a bare node:dgram server that answers every query with the same bytes (the floor: the UDP
 * round trip through Node on this machine), in interleaved rounds.
 *
 * The name is `api.bench.local` A: a MULTIVALUE service of 10 instances (so every answer is eight
 * shuffled records, 160 bytes of answers), read from the store on each query as the server does.
 * Closed loop: `--concurrency` clients each send a query and wait for its answer before the next.
 *
 * Rounds alternate which side goes first; q/s and p99 ratios are per round (bench/support/harness.ts). A
 * query that went unanswered or came back wrong is an error, not a latency.
 *
 * Run: npm run build && node dist/bench/dns.js [--queries 20000] [--concurrency 1] [--rounds 3] [--short]
 */
import { createSocket, type Socket } from 'node:dgram';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  ServiceDiscoveryClient, CreatePrivateDnsNamespaceCommand, CreateServiceCommand, GetOperationCommand, RegisterInstanceCommand,
} from '@aws-sdk/client-servicediscovery';
import { EC2Client, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { join } from 'node:path';
import { startServerProcess } from '../test/support/server.js';
import { freePort } from '../test/e2e/elb-helpers.js';
import { benchDir, CouldNotMeasure, interleaved, numArg, pct, ratio, roundsArg, runBenchmark } from './support/harness.js';

const QUERIES = numArg('queries', 20000, 2000);
const CONCURRENCY = numArg('concurrency', 1);
const ROUNDS = roundsArg();

function query(id: number, name: string): Buffer {
  const labels = Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0); header.writeUInt16BE(0x0100, 2); header.writeUInt16BE(1, 4);
  return Buffer.concat([header, labels, Buffer.from([0, 1, 0, 1])]);
}

/** Sends `QUERIES` queries from `CONCURRENCY` closed-loop clients; returns per-query latencies (ms) and answers/s. */
async function load(port: number): Promise<{ lat: number[]; qps: number; bad: number }> {
  const lat: number[] = [];
  let bad = 0;
  let next = 0;
  const started = performance.now();
  const client = async () => {
    const sock: Socket = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    let pending: ((b: Buffer) => void) | undefined;
    sock.on('message', (m) => pending?.(m));
    while (next < QUERIES) {
      next++;
      const id = next & 0xffff;
      const t0 = performance.now();
      const reply = await new Promise<Buffer | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 1000);
        pending = (b) => { clearTimeout(timer); resolve(b); };
        sock.send(query(id, 'api.bench.local'), port, '127.0.0.1');
      });
      lat.push(performance.now() - t0);
      if (!reply || reply.readUInt16BE(0) !== id || reply.readUInt16BE(6) !== 8) bad++;
    }
    sock.close();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  return { lat, qps: QUERIES / ((performance.now() - started) / 1000), bad };
}

async function main(): Promise<void> {
  const dnsPort = await freePort();
  const server = await startServerProcess({ dataDir: join(benchDir('dns'), 'server'), env: { WHARF_LOG_LEVEL: 'warn', WHARF_DNS_LISTEN: `127.0.0.1:${dnsPort}`, WHARF_DNS_UPSTREAM: '127.0.0.1:9' } });
  try {
    const sd = new ServiceDiscoveryClient({ endpoint: server.endpoint, region: server.region, credentials: server.credentials });
    const ec2 = new EC2Client({ endpoint: server.endpoint, region: server.region, credentials: server.credentials });
    const vpc = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs![0]!.VpcId!;
    const op = await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'bench.local', Vpc: vpc }));
    const ns = (await sd.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation!.Targets!.NAMESPACE!;
    const svc = (await sd.send(new CreateServiceCommand({ Name: 'api', NamespaceId: ns, DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'A', TTL: 10 }] } }))).Service!.Id!;
    for (let i = 1; i <= 10; i++) await sd.send(new RegisterInstanceCommand({ ServiceId: svc, InstanceId: `i-${i}`, Attributes: { AWS_INSTANCE_IPV4: `10.0.0.${i}` } }));

    // The floor: the same reply bytes from a server that does nothing else.
    const sample = await new Promise<Buffer>((resolve, reject) => {
      const s = createSocket('udp4');
      const timer = setTimeout(() => { s.close(); reject(new CouldNotMeasure('the DNS server did not answer the sample query in 5 s')); }, 5000);
      s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
      s.send(query(1, 'api.bench.local'), dnsPort, '127.0.0.1');
    });
    const bare = createSocket('udp4');
    bare.on('message', (m, r) => { const out = Buffer.from(sample); m.copy(out, 0, 0, 2); bare.send(out, r.port, r.address); });
    await new Promise<void>((r) => bare.bind(0, '127.0.0.1', r));
    const barePort = bare.address().port;

    console.log(`DNS A api.bench.local (8 of 10 instances), ${QUERIES} queries, concurrency ${CONCURRENCY}, ${ROUNDS} rounds in alternating order`);
    const checked = async (port: number, side: string) => {
      const r = await load(port);
      if (r.bad > 0) throw new CouldNotMeasure(`${side}: ${r.bad} of ${QUERIES} queries unanswered (1 s) or answered wrong`);
      return r;
    };
    const rounds = await interleaved(ROUNDS, { wharf: () => checked(dnsPort, 'wharf'), bare: () => checked(barePort, 'bare') }, {
      log: (round, { wharf: w, bare: b }) => console.log(`round ${round + 1}: wharf p50 ${pct(w.lat, 50).toFixed(3)} ms p99 ${pct(w.lat, 99).toFixed(3)} ms ${w.qps.toFixed(0)} q/s` +
        ` | bare p50 ${pct(b.lat, 50).toFixed(3)} ms p99 ${pct(b.lat, 99).toFixed(3)} ms ${b.qps.toFixed(0)} q/s`),
    });
    ratio(`DNS q/s wharf/bare at concurrency ${CONCURRENCY}`, rounds.map((r) => r.wharf.qps / r.bare.qps));
    ratio(`DNS p99 wharf/bare at concurrency ${CONCURRENCY}`, rounds.map((r) => pct(r.wharf.lat, 99) / pct(r.bare.lat, 99)), { goal: `wharf p99 ≤ 1 ms (per round: ${rounds.map((r) => pct(r.wharf.lat, 99).toFixed(3)).join(', ')} ms)` });
    bare.close();
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(join(server.dataDir, '..'), { recursive: true, force: true });
  }
}

runBenchmark('Cloud Map DNS (bench/dns.ts)', main);
