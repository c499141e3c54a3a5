/**
 * The web console at /console: the static build of console/ (React + Cloudscape, made by Vite), served
 * from this same port so the browser's SigV4-signed API calls go to the same origin as the page — no
 * CORS, no second server, no private API.
 *
 *   GET /console              → 301 /console/
 *   GET /console/             → index.html (no-cache: a new build is picked up on reload)
 *   GET /console/assets/NAME  → a hashed build file (cached for a year; NAME changes with its content),
 *                               the prebuilt NAME.gz when the client accepts gzip
 *
 * The console routes inside the page (`#/clusters/…`), so the server needs no route per page. When
 * console/dist is missing (a checkout built with `npm run build` only), /console/ answers 503 with a
 * page that says how to build it.
 *
 * Why not @fastify/static: its current major pulls content-disposition 3, which needs Node ≥ 22, and
 * these are three fixed routes over one flat folder.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** console/dist of this checkout: this file runs as dist/src/server/console.js. */
export const defaultConsoleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'console', 'dist');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ico': 'image/x-icon',
};

// The page talks only to its own origin; Cloudscape sets inline styles, images are bundled or data: URIs.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function notBuiltPage(dir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Wharf console is not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#0f141a}code,pre{background:#f2f3f3;padding:.1rem .3rem;border-radius:4px}pre{padding:.75rem}</style></head>
<body><main>
<h1>The Wharf web console is not built</h1>
<p>This server looks for the console's static build in <code>${escapeHtml(dir)}</code>, and it is not there.
Build it once in the Wharf checkout (it needs the npm registry the first time), then reload this page:</p>
<pre>npm run build:console</pre>
<p>That runs <code>npm ci</code> and <code>npm run build</code> in <code>console/</code>. <code>./scripts/quickstart.sh</code> and <code>npm test</code> build it too.
The APIs on this port work without it: <code>aws --endpoint-url ${'<'}this address${'>'} ecs list-clusters</code>.</p>
</main></body></html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function consolePlugin(options: { dir?: string } = {}): (app: FastifyInstance) => Promise<void> {
  const dir = options.dir ?? defaultConsoleDir;
  return async (app) => {
    const index = async (reply: FastifyReply) => {
      const file = join(dir, 'index.html');
      reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache');
      if (!existsSync(file)) return reply.code(503).type('text/html; charset=utf-8').send(notBuiltPage(dir));
      return reply.type('text/html; charset=utf-8').send(await readFile(file));
    };
    app.get('/console', async (_req, reply) => reply.redirect('/console/', 301));
    app.get('/console/', async (_req, reply) => index(reply));
    app.get('/console/index.html', async (_req, reply) => index(reply));
    app.get<{ Params: { name: string } }>('/console/assets/:name', async (req, reply) => {
      const name = req.params.name;
      // One flat folder of hashed names: anything else (../, %2f, dot files) is not a build file.
      if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name)) return reply.code(404).send({ message: 'Not Found' });
      const file = join(dir, 'assets', name);
      const ext = name.slice(name.lastIndexOf('.'));
      let size: number;
      try { size = statSync(file).size; } catch { return reply.code(404).send({ message: 'Not Found' }); }
      reply.headers(SECURITY_HEADERS)
        .header('content-type', TYPES[ext] ?? 'application/octet-stream')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('vary', 'accept-encoding');
      const gz = `${file}.gz`;
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && existsSync(gz)) {
        const body = await readFile(gz);
        return reply.header('content-encoding', 'gzip').header('content-length', body.length).send(body);
      }
      return reply.header('content-length', size).send(await readFile(file));
    });
  };
}
