#!/usr/bin/env node
// Post-build step (a Trunk `[[hooks]] stage = "post_build"`, see Trunk.toml):
// writes the service worker `sw.js` into the root of the build output, from the
// template public/sw.js, with
//   - PRECACHE: every file of the build, as URLs relative to sw.js, sorted;
//   - VERSION:  the first 16 hex digits of a SHA-256 over each file's path and
//               content hash, so any change to any file makes a new cache.
// It removes the template's own copy (public/sw.js) from the output.
//
// Trunk runs it with TRUNK_STAGING_DIR (the output being assembled) and
// TRUNK_SOURCE_DIR set. By hand:  node scripts/sw-precache.mjs <dist-dir>
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? path.join(repo, 'dist'));
const sourceDir = process.env.TRUNK_SOURCE_DIR ?? repo;
const template = path.join(sourceDir, 'public', 'sw.js');
const SW = 'sw.js';

async function walk(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(path.join(dir, entry.name), rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

await rm(path.join(outDir, 'public', SW), { force: true });
const files = (await walk(outDir))
  .filter((f) => f !== SW && !f.startsWith('.') && !f.includes('/.'))
  .sort();
if (!files.includes('index.html')) {
  console.error(`sw-precache: no index.html in ${outDir}`);
  process.exit(1);
}

const whole = createHash('sha256');
let bytes = 0;
for (const f of files) {
  const data = await readFile(path.join(outDir, f));
  bytes += data.length;
  whole.update(`${f}\0${sha256(data)}\n`);
}
const version = whole.digest('hex').slice(0, 16);
const urls = files.map((f) => f.split('/').map(encodeURIComponent).join('/'));

let sw = await readFile(template, 'utf8');
const replace = (re, line) => {
  if (!re.test(sw)) {
    console.error(`sw-precache: ${template} has no line matching ${re}`);
    process.exit(1);
  }
  sw = sw.replace(re, line);
};
replace(/^const VERSION = .*$/m, `const VERSION = ${JSON.stringify(version)};`);
replace(/^const PRECACHE = .*$/m, `const PRECACHE = ${JSON.stringify(urls, null, 2)};`);
await writeFile(path.join(outDir, SW), sw);
console.log(
  `sw-precache: wrote ${path.join(path.basename(outDir), SW)}: version ${version}, ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB precached`,
);
