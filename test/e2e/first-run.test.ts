/**
 * Issue 7: the README's first command, run as a new user would on a clean state (a fresh XDG data
 * home), ends with a service of three tasks answering through the load balancer and their logs visible;
 * the web console at /console, signed in with the printed key, shows the demo service, its tasks, a task's
 * logs and the service's CPU/memory graph (issue 17's "done when"); `wharf down` then leaves no container and
 * no process behind.
 */
import { it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { chromium } from 'playwright-core';
import { repoRoot, cliEntry } from '../support/server.js';
import { containersWithLabel } from '../support/runtime.js';
import { chooseRuntime } from '../../src/cli/up.js';

const home = mkdtempSync(join(tmpdir(), 'wharf-firstrun-'));
const dataDir = join(home, 'wharf');

async function freePort(): Promise<number> {
  return new Promise((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
}

const env = (apiPort: number, demoPort: number) => ({
  ...process.env, XDG_DATA_HOME: home, WHARF_PORT: String(apiPort), WHARF_DEMO_PORT: String(demoPort), CI: 'true',
  // Metrics every 5 s instead of every minute, so the console's graph has points within the test.
  WHARF_METRICS_PUBLISH_MS: '5000',
});

/** Polls until `f` holds (250 ms apart), failing with what did not happen. */
async function until(what: string, f: () => Promise<boolean>, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await f().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

after(() => {
  spawnSync(process.execPath, [cliEntry, 'down', '--data-dir', dataDir], { stdio: 'ignore' });
  rmSync(home, { recursive: true, force: true });
});

it("the README's first command brings up a cluster with a demo service behind a load balancer, with logs; wharf down cleans up", { timeout: 600_000 }, async () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const firstBlock = /```sh\n([^\n]+)\n/.exec(readme)![1];
  const command = firstBlock.split('#')[0].trim();
  assert.ok(command.length > 0, 'the README opens with a command');
  const apiPort = await freePort();
  const demoPort = await freePort();
  const r = spawnSync('bash', ['-c', command], { cwd: repoRoot, env: env(apiPort, demoPort), encoding: 'utf8', timeout: 540_000 });
  assert.equal(r.status, 0, `\`${command}\` failed:\n${r.stdout}\n${r.stderr}`);
  const runtime = chooseRuntime(process.env).kind === 'docker' ? 'Docker' : 'Podman';
  assert.match(r.stderr, new RegExp(`✔ Using ${runtime} at unix://`), `wharf up says it uses ${runtime}:\n${r.stderr}`);
  assert.match(r.stdout, /The demo service is up: http:\/\/127\.0\.0\.1:\d+\//);
  assert.match(r.stdout, /answered by 3 tasks/);

  // The URL answers from all three tasks.
  const url = `http://127.0.0.1:${demoPort}/`;
  const seen = new Set<string>();
  for (let i = 0; i < 30 && seen.size < 3; i++) {
    const body = await (await fetch(url, { headers: { connection: 'close' } })).text();
    const host = /container (\w+)\./.exec(body)?.[1];
    assert.ok(host, `unexpected body: ${body}`);
    seen.add(host);
  }
  assert.equal(seen.size, 3, 'requests are spread across three tasks');

  // Their logs are visible through CloudWatch Logs.
  const creds = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8'));
  const logs = new CloudWatchLogsClient({ endpoint: `http://127.0.0.1:${apiPort}`, region: creds.region, credentials: creds });
  const ev = await logs.send(new FilterLogEventsCommand({ logGroupName: '/ecs/wharf-demo', filterPattern: '"response:200"' }));
  assert.ok((ev.events ?? []).length >= 3, 'request log lines arrive in the log group');
  const streams = new Set((ev.events ?? []).map((e) => e.logStreamName));
  assert.ok([...streams].every((s) => /^web\/web\/[0-9a-f]{32}$/.test(s!)), `streams are prefix/container/task-id: ${[...streams].join(', ')}`);

  // The web console: sign in with the printed key and see the demo service, its tasks, logs and graph.
  const printedKey = /AWS_ACCESS_KEY_ID=(\S+)|access key[^\n]*?(AKIA\w+)/i.exec(r.stdout + r.stderr);
  assert.ok(printedKey, `wharf up printed the access key to sign in with:\n${r.stdout}\n${r.stderr}`);
  assert.equal(printedKey[1] ?? printedKey[2], creds.accessKeyId, 'the printed key is the admin key');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(30_000);
    await page.goto(`http://127.0.0.1:${apiPort}/console`);
    await page.getByLabel('Access key ID').fill(creds.accessKeyId);
    await page.getByLabel('Secret access key').fill(creds.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'default', exact: true }).click();
    await page.getByRole('link', { name: 'wharf-demo-web', exact: true }).first().click();
    await until('the console shows the demo service with 3 running tasks', async () =>
      (await page.getByTestId('service-counts').innerText()).includes('3 running, 0 pending, 3 desired'));
    await page.getByRole('tab', { name: 'Metrics' }).click();
    const metrics = page.getByRole('tabpanel');
    await until('the service\'s CPU/memory graph has points', async () => {
      const text = await metrics.innerText();
      return text.includes('CPUUtilization') && !text.includes('No data points') && !/Loading/.test(text);
    });
    await page.getByRole('tab', { name: 'Tasks' }).click();
    await page.getByRole('table', { name: 'Tasks' }).getByRole('link').first().click();
    await until('a demo task\'s page shows its request log lines', async () => (await page.getByTestId('log-lines').innerText()).includes('response:200'));
  } finally {
    await browser.close();
  }

  // wharf down: no container and no process left.
  const identity = JSON.parse(readFileSync(join(dataDir, 'agent', 'local', 'identity.json'), 'utf8')) as { hostId: string };
  const pid = Number(readFileSync(join(dataDir, 'run', 'supervisor.pid'), 'utf8'));
  const d = spawnSync(process.execPath, [cliEntry, 'down', '--data-dir', dataDir], { env: env(apiPort, demoPort), encoding: 'utf8' });
  assert.equal(d.status, 0, d.stderr);
  assert.deepEqual(await containersWithLabel('wharf.host-id', identity.hostId), [], 'no container left behind');
  assert.throws(() => process.kill(pid, 0), 'the supervisor is gone');
  const procs = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter((l) => l.includes(dataDir));
  assert.deepEqual(procs, [], 'no process of this installation left (server, agent, haproxy)');
  assert.ok(!existsSync(join(dataDir, 'run', 'supervisor.pid')));
  await assert.rejects(fetch(url), 'the load balancer is gone');
});
