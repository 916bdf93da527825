// What the browser tests share: Chromium and playwright-core (failing, never skipping, when
// either is missing), free loopback ports, sidecars started from a config, waiting for a state.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export const CHROMIUM = process.env.HEALTHCHECKS_CHROMIUM || '/usr/bin/chromium';
export const SIDECAR = process.env.HEALTHCHECKS_SIDECAR;
export const HERE = path.dirname(new URL(import.meta.url).pathname);

// What is missing fails the test, saying how to get it; nothing is skipped.
export async function loadPlaywright() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install ` +
                    'chromium, or scripts/install-deps.sh test), or set HEALTHCHECKS_CHROMIUM');
  }
  try {
    return await import('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed in ${HERE}: run "npm ci" there ` +
                    `(scripts/install-deps.sh test does it) (${e.message})`);
  }
}

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const children = [];

// Starts a sidecar on a free port (port 0) and resolves with its base URL once it serves.
export async function startSidecar(dir, name, config) {
  assert.ok(SIDECAR && existsSync(SIDECAR),
            'set HEALTHCHECKS_SIDECAR to the built healthchecks-sidecar (ctest does)');
  const file = path.join(dir, `${name}.json`);
  await fs.writeFile(file, JSON.stringify({ listen: '127.0.0.1:0', ...config }, null, 2));
  const child = spawn(SIDECAR, ['--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not serving after 10 s: ${err}`)),
                             10000);
    child.stdout.on('data', (data) => {
      out += data;
      const serving = /serving .* at (http:\/\/127\.0\.0\.1:\d+)\/status\//.exec(out);
      if (serving) {
        clearTimeout(timer);
        resolve(serving[1]);
      }
    });
    child.stderr.on('data', (data) => { err += data; });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${err}`));
    });
  });
}

export async function eventually(what, probe, timeout = 10000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > end) throw new Error(`${what}: not within ${timeout} ms (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Starts Debian's Chromium through playwright-core.
export async function launchChromium() {
  const { chromium } = await loadPlaywright();
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export async function stopAll(browser, dir) {
  if (browser) await browser.close();
  for (const child of children) child.kill('SIGTERM');
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}
