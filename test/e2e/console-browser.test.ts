/**
 * Issue 17 end to end: the web console in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core) against a real `wharf server`, a real `wharf agent` and Podman containers.
 *   - a wrong secret key shows the AWS error the API returned (same name the AWS SDK sees)
 *   - sign in; create a service from a task definition; watch it reach steady state
 *   - open a task and read its logs (awslogs → CloudWatch Logs → the task page's log tail)
 *   - create a new revision (inline validation errors first), roll it out, watch the deployment
 *   - stop a task and see its stopped reason
 *   - axe-core finds no serious or critical accessibility violations on the main pages
 *   - keyboard only: sign in, open a cluster, open a service, open and dismiss a dialog (Tab, Enter, Escape)
 * Screenshots of the main pages go to $WHARF_CONSOLE_SCREENSHOTS (docs/console/ when refreshing the
 * committed ones) or a temporary folder.
 *
 * Needs the console's build (`npm run build:console`; `npm test` runs it first) and Chromium.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  CreateClusterCommand, DescribeServicesCommand, ListClustersCommand, ListContainerInstancesCommand, ListTasksCommand, RegisterTaskDefinitionCommand, ECSClient,
} from '@aws-sdk/client-ecs';
import { ECRClient, CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { repoRoot, startServerProcess, type TestServer } from '../support/server.js';
import { startAgent, removeClusterContainers, type AgentProcess } from '../support/agent-process.js';
import { buildBusyboxImage, pushToRegistry } from '../support/images.js';

const CHROMIUM = '/usr/bin/chromium';
const cluster = `console-${process.pid}`;
const family = `console-web-${process.pid}`;
const serviceName = 'web';
const work = mkdtempSync(join(tmpdir(), 'wharf-console-e2e-'));
const shots = process.env.WHARF_CONSOLE_SCREENSHOTS ?? join(work, 'screenshots');
const consoleBuilt = existsSync(join(repoRoot, 'console', 'dist', 'index.html'));
let server: TestServer;
let agent: AgentProcess;
let context: BrowserContext;
let page: Page;
let base: string;

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const shot = async (name: string) => {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
};

/** axe-core on the current page: the serious and critical violations, described for an assertion message. */
async function axeViolations(p: Page): Promise<string[]> {
  const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await p.evaluate(axeSource);
  // A string runs in the page (this file is compiled without the DOM library).
  const result = await p.evaluate("axe.run(document, { resultTypes: ['violations'] })") as { violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

async function signIn(secret: string) {
  await page.goto(`${base}/console/`);
  await page.getByLabel('Access key ID').fill(server.credentials.accessKeyId);
  await page.getByLabel('Secret access key').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function chooseOption(selectLabel: string | RegExp, option: string) {
  await page.getByRole('button', { name: selectLabel }).click();
  await page.getByRole('option', { name: option }).first().click();
}

before(async () => {
  assert.ok(consoleBuilt, 'console/dist is missing: run `npm run build:console` (npm test does) before this test');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  server = await startServerProcess({ env: { WHARF_LOG_LEVEL: 'warn', WHARF_METRICS_PUBLISH_MS: '3000' } });
  base = server.endpoint;
  const ecs = server.ecs();
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const ecr = new ECRClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.credentials });
  const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: `console/busybox-${process.pid}` }));
  ecr.destroy();
  const image = `${repo.repository!.repositoryUri}:1`;
  const built = await buildBusyboxImage(join(work, 'img'));
  await pushToRegistry(built.layoutDir, image, { creds: { username: server.credentials.accessKeyId, password: server.credentials.secretAccessKey } });
  await ecs.send(new RegisterTaskDefinitionCommand({
    family,
    containerDefinitions: [{
      name: 'app', image, memory: 32, essential: true,
      command: ['sh', '-c', 'i=0; while true; do echo "console-web v1 line $i"; i=$((i+1)); sleep 1; done'],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' } },
    }],
  }));
  agent = await startAgent(server, { cluster, name: 'console', cpu: 2048, memory: 1024, stopTimeout: 1 });
  await until('agent connected', async () => (await ecs.send(new ListContainerInstancesCommand({ cluster, filter: 'agentConnected == true' }))).containerInstanceArns?.length === 1);
  context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await context?.close();
  await agent?.kill('SIGKILL');
  agent?.cleanup();
  await removeClusterContainers(cluster);
  await server?.stop();
  server?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('web console in Chromium', () => {
  it('a wrong secret key shows the AWS error name and message, and keeps the sign-in form', async () => {
    // What the AWS SDK itself gets for the same credentials: the console must show the same error.
    const bad = new ECSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { ...server.credentials, secretAccessKey: 'not-the-secret' }, maxAttempts: 1 });
    const sdkError = await bad.send(new ListClustersCommand({})).then(() => undefined, (e: Error) => e);
    bad.destroy();
    assert.ok(sdkError, 'the API refused the wrong secret');
    await signIn('not-the-secret');
    const alert = page.getByRole('alert').filter({ hasText: sdkError.name });
    await alert.waitFor();
    assert.match(await alert.innerText(), new RegExp(sdkError.message.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(await page.evaluate("sessionStorage.getItem('wharf.console.session')"), null, 'a refused key is not kept');
    assert.deepEqual(await axeViolations(page), []);
    await shot('sign-in-error');
  });

  it('signs in and lists the clusters; the key lives in sessionStorage only', async () => {
    await signIn(server.credentials.secretAccessKey);
    await page.getByRole('link', { name: cluster }).waitFor();
    const stored = await page.evaluate("({ session: sessionStorage.getItem('wharf.console.session'), local: localStorage.length, cookie: document.cookie })") as { session: string | null; local: number; cookie: string };
    assert.ok(stored.session?.includes(server.credentials.accessKeyId));
    assert.equal(stored.local, 0);
    assert.equal(stored.cookie, '');
    assert.deepEqual(await axeViolations(page), []);
    await shot('clusters');
  });

  it('creates a service from a task definition and watches it reach steady state', async () => {
    await page.getByRole('link', { name: cluster }).click();
    await page.getByRole('link', { name: 'Create service' }).first().click();
    await page.getByRole('heading', { name: 'Create service' }).waitFor();
    // Inline validation before anything is sent.
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByText('Choose a task definition revision.').waitFor();
    await chooseOption(/Task definition/, `${family}:1`);
    await page.getByLabel('Service name').fill(serviceName);
    await page.getByLabel('Desired tasks').fill('2');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: serviceName, exact: true }).waitFor();
    await until('the service page shows 2 running tasks and a COMPLETED deployment', async () => {
      const counts = await page.getByTestId('service-counts').innerText();
      const rollouts = await page.getByTestId('rollout-state').allInnerTexts();
      return counts.includes('2 running, 0 pending, 2 desired') && rollouts.length === 1 && rollouts[0]!.includes('COMPLETED');
    });
    const ecs = server.ecs();
    const s = (await ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName] }))).services![0]!;
    assert.equal(s.runningCount, 2, 'the API agrees with the page');
    await page.getByRole('tab', { name: 'Events' }).click();
    await page.getByText(`(service ${serviceName}) has reached a steady state.`).first().waitFor();
    await page.getByRole('tab', { name: 'Tasks' }).click();
    assert.deepEqual(await axeViolations(page), []);
    await shot('service');
  });

  it('opens a task and reads its logs as they are written', async () => {
    const taskLink = page.getByRole('table', { name: 'Tasks' }).getByRole('link').first();
    await taskLink.waitFor();
    const taskId = await taskLink.innerText();
    await taskLink.click();
    await page.getByRole('heading', { name: `Task ${taskId}` }).waitFor();
    const log = page.getByTestId('log-lines');
    await until('the log tail shows the container\'s lines', async () => /console-web v1 line 2\b/.test(await log.innerText()));
    const first = (await log.innerText()).match(/line (\d+)/g)!.length;
    await until('the log tail follows new lines', async () => ((await log.innerText()).match(/line (\d+)/g)?.length ?? 0) > first + 1, 30_000);
    assert.deepEqual(await axeViolations(page), []);
    await shot('task');
  });

  it('creates a new revision (validation errors inline first), rolls it out and watches the deployment', async () => {
    await page.goto(`${base}/console/#/task-definitions/${family}`);
    await page.getByRole('link', { name: 'Create new revision' }).click();
    const editor = page.getByLabel('Task definition JSON');
    await editor.waitFor();
    const original = await editor.inputValue();
    assert.match(original, /console-web v1 line/);
    await editor.fill(original.replace(/,\s*$/, '').slice(0, -3));
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByText(/JSON syntax error at line \d+, column \d+/).waitFor();
    const noImage = JSON.parse(original) as { containerDefinitions: { image?: string }[] };
    delete noImage.containerDefinitions[0]!.image;
    await editor.fill(JSON.stringify(noImage, null, 2));
    await page.getByText('containerDefinitions[0].image: required.').waitFor();
    // The API's own validation: shown with the AWS error name, nothing registered.
    const badMemory = JSON.parse(original) as { containerDefinitions: { memory?: number }[] };
    badMemory.containerDefinitions[0]!.memory = 1;
    await editor.fill(JSON.stringify(badMemory, null, 2));
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByText(/ClientException: /).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await shot('new-revision-error');
    await editor.fill(original.replace('console-web v1 line', 'console-web v2 line'));
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('table', { name: 'Revisions' }).getByText(`${family}:2`).waitFor();
    // The diff between the two revisions shows the changed command.
    await page.getByRole('tab', { name: 'Compare revisions' }).click();
    const diff = page.getByTestId('revision-diff');
    await until('the diff shows the change', async () => /- .*v1 line/.test(await diff.innerText()) && /\+ .*v2 line/.test(await diff.innerText()));
    await shot('task-definition-diff');

    await page.goto(`${base}/console/#/clusters/${cluster}/services/${serviceName}`);
    await page.getByRole('button', { name: 'Update service' }).click();
    await chooseOption(/Task definition revision/, `${family}:2`);
    await page.getByRole('dialog').getByRole('button', { name: 'Update' }).click();
    await until('a second deployment appears', async () => (await page.getByTestId('rollout-state').count()) === 2, 30_000);
    await shot('deployment-in-progress');
    await until('the new revision is rolled out: one COMPLETED deployment of revision 2, 2 tasks running', async () => {
      const rows = await page.getByRole('table', { name: 'Deployments' }).getByRole('row').allInnerTexts();
      const counts = await page.getByTestId('service-counts').innerText();
      return rows.length === 2 && rows[1]!.includes(`${family}:2`) && rows[1]!.includes('COMPLETED') && counts.includes('2 running, 0 pending, 2 desired');
    }, 120_000);
    await shot('deployment-completed');
  });

  it('stops a task and shows its stopped reason', async () => {
    const taskLink = page.getByRole('table', { name: 'Tasks' }).getByRole('link').first();
    await until('the tasks table lists a task of revision 2', async () => (await page.getByRole('table', { name: 'Tasks' }).innerText()).includes(`${family}:2`));
    const taskId = await taskLink.innerText();
    await taskLink.click();
    await page.getByRole('heading', { name: `Task ${taskId}` }).waitFor();
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Stop reason').fill('Stopped from the console test');
    await dialog.getByRole('button', { name: 'Stop', exact: true }).click();
    await until('the task page shows STOPPED and the reason', async () =>
      (await page.getByTestId('task-last-status').innerText()).includes('STOPPED')
      && (await page.getByTestId('stopped-reason').innerText()).includes('Stopped from the console test'), 60_000);
    const ecs = server.ecs();
    const stillListed = (await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: 'STOPPED' }))).taskArns ?? [];
    assert.ok(stillListed.some((a) => a.endsWith(taskId)), 'the API lists the task as stopped too');
    assert.deepEqual(await axeViolations(page), []);
    await shot('task-stopped');
  });

  it('draws the cluster map and shows the other pages without accessibility violations', async () => {
    await page.goto(`${base}/console/#/clusters/${cluster}?tab=map`);
    await page.getByRole('list', { name: `Map of cluster ${cluster}` }).waitFor();
    await until('the map shows the service\'s running tasks on the instance', async () =>
      (await page.getByRole('list', { name: /^Tasks on / }).getByRole('listitem').count()) >= 2);
    assert.deepEqual(await axeViolations(page), []);
    await shot('cluster-map');
    for (const [name, hash, ready] of [
      ['log-group', `#/logs/${encodeURIComponent(`/ecs/${family}`)}`, 'Log streams'],
      ['repositories', '#/repositories', 'Repositories'],
      ['task-definitions', '#/task-definitions', 'Families'],
      ['metrics', '#/metrics', 'Metrics'],
      ['load-balancers', '#/load-balancers', 'Load balancers'],
      ['alarms', '#/alarms', 'Alarms'],
    ] as const) {
      await page.goto(`${base}/console/${hash}`);
      await page.getByRole('heading', { name: ready }).first().waitFor();
      await page.waitForLoadState('networkidle');
      assert.deepEqual(await axeViolations(page), [], name);
      await shot(name);
    }
  });

  it('can be used with the keyboard alone: sign in, open a cluster and a service, open and dismiss a dialog', async () => {
    // A new tab of the same browser, signed out: the key is kept in sessionStorage, which is per tab.
    const k = await context.newPage();
    try {
      await k.goto(`${base}/console/`);
      /** Presses Tab until the focused element is the one described (at most 80 presses), so the test fails
       * naming the element a keyboard user cannot reach. */
      const tabTo = async (what: string, isIt: string) => {
        for (let i = 0; i < 80; i++) {
          await k.keyboard.press('Tab');
          if (await k.evaluate(`(() => { const el = document.activeElement; return !!el && (${isIt}); })()`)) return;
        }
        throw new Error(`80 presses of Tab never focused ${what} (focus is on ${await k.evaluate("document.activeElement?.outerHTML.slice(0, 120)")})`);
      };
      const labelled = (label: string) => `el.id && document.querySelector('label[for="' + el.id + '"]')?.textContent?.trim() === ${JSON.stringify(label)}`;
      await k.getByLabel('Access key ID').waitFor();
      await tabTo('the access key field', labelled('Access key ID'));
      await k.keyboard.type(server.credentials.accessKeyId);
      await tabTo('the secret key field', labelled('Secret access key'));
      await k.keyboard.type(server.credentials.secretAccessKey);
      await tabTo('the Sign in button', "el.tagName === 'BUTTON' && el.textContent.trim() === 'Sign in'");
      await k.keyboard.press('Enter');
      await k.getByRole('link', { name: cluster }).waitFor();
      await tabTo(`the link to cluster ${cluster}`, `el.tagName === 'A' && el.textContent.trim() === ${JSON.stringify(cluster)}`);
      await k.keyboard.press('Enter');
      await k.getByRole('heading', { name: cluster }).first().waitFor();
      await k.getByRole('link', { name: serviceName, exact: true }).first().waitFor();
      await tabTo(`the link to service ${serviceName}`, `el.tagName === 'A' && el.textContent.trim() === ${JSON.stringify(serviceName)}`);
      await k.keyboard.press('Enter');
      await k.getByRole('heading', { name: serviceName, exact: true }).waitFor();
      await tabTo('the Update service button', "el.tagName === 'BUTTON' && el.textContent.trim() === 'Update service'");
      await k.keyboard.press('Enter');
      const dialog = k.getByRole('dialog');
      await dialog.waitFor();
      assert.ok(await k.evaluate("!!document.activeElement?.closest('[role=dialog]')"), 'focus moves into the dialog when it opens');
      await k.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
    } finally {
      await k.close();
    }
  });
});
