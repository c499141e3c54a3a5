// Writes a .gz beside every text asset of the build; the server sends it to clients that accept gzip
// (src/server/console.ts), so the first load moves a fraction of the bytes. Level 9: built once, sent often.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('../dist/', import.meta.url).pathname;
let raw = 0, gz = 0;
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    if (!/\.(js|css|html|svg|json|map)$/.test(p)) continue;
    const body = readFileSync(p);
    const z = gzipSync(body, { level: 9 });
    writeFileSync(`${p}.gz`, z);
    raw += body.length; gz += z.length;
  }
};
walk(root);
console.log(`console build: ${(raw / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped`);
