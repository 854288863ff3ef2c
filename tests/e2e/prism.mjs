// Stoplight's Prism mock server (npm @stoplight/prism-cli): a real HTTP server
// nobody here wrote, that answers each request of a specification with its
// examples. The prescan tests send their requests to it.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const PRISM = path.join(here, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

/** A TCP port nothing listens on (just released by the OS). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `prism mock spec` on a free port; resolves once it answers, within
 * `timeoutMs` (a large specification takes Prism a minute or more to load).
 * A Prism that exits or does not answer in time is stopped, and the promise
 * rejects with its output.
 */
export async function startPrism(spec, { timeoutMs = 30_000 } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [PRISM, 'mock', spec, '-h', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prism exited: ${log}`);
    try {
      await fetch(url + '/');
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`prism did not answer within ${timeoutMs / 1000} s: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill();
    }),
  };
}
