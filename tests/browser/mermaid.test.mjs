// healthchecks-walk --mermaid, rendered by the real mermaid (npm, pinned in package.json) inside
// Debian's Chromium, for a graph of real sidecars whose names and details are hostile to the
// syntax (quotes, brackets, pipes, '#', '%%', '-->', HTML). The diagram must parse, draw one
// node per node of the walk coloured by level, and show that text as text.
//
//   HEALTHCHECKS_SIDECAR=build/bin/healthchecks-sidecar \
//   HEALTHCHECKS_WALKER=build/bin/healthchecks-walk node --test tests/browser/mermaid.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { HERE, launchChromium, startSidecar, stopAll } from './support.mjs';

const WALKER = process.env.HEALTHCHECKS_WALKER;
const MERMAID = path.join(HERE, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');

const HOSTILE_NAME = 'Cache "main" [x] | 100% #1 <b>bold</b>';
const HOSTILE_DETAILS = 'down --> see #quot; %% not a comment; <img src=x onerror=alert(1)>';

// Runs the walker; its exit code is the graph's level, so a non-zero one is not an error here.
async function walk(format, url) {
  assert.ok(WALKER && existsSync(WALKER),
            'set HEALTHCHECKS_WALKER to the built healthchecks-walk (ctest does)');
  try {
    const { stdout } = await promisify(execFile)(WALKER, [format, url]);
    return { stdout, code: 0 };
  } catch (e) {
    if (typeof e.code !== 'number') throw e;
    return { stdout: e.stdout, code: e.code };
  }
}

describe('healthchecks-walk --mermaid', () => {
  let browser;
  let dir;
  let front;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'healthchecks-mermaid-'));
    const back = await startSidecar(dir, 'back', {
      about: { id: 'back', summary: 'Back <i>end</i> "2"' },
      checks: [
        { name: HOSTILE_NAME, slug: 'cache', check: 'static', result: 'CRIT',
          details: HOSTILE_DETAILS },
        { name: 'Queue', slug: 'queue', check: 'static', result: 'WARN', details: 'lag 1200' },
      ],
    });
    front = await startSidecar(dir, 'front', {
      about: { id: 'front', summary: 'Front --> door' },
      checks: [
        { name: 'Database', slug: 'db', check: 'static', result: 'OK' },
        { name: 'Back end', slug: 'back', type: 'service', check: 'http', url: back,
          traversable: true },
      ],
    });
    browser = await launchChromium();
  });

  after(async () => {
    await stopAll(browser, dir);
  });

  test('renders the walked graph, coloured by level, hostile text as text', async () => {
    const diagram = await walk('--mermaid', front);
    assert.equal(diagram.code, 2, 'the graph holds a CRIT dependency');
    assert.match(diagram.stdout, /^flowchart LR\n/);
    const graph = JSON.parse((await walk('--json', front)).stdout);

    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ path: MERMAID });
    const drawn = await page.evaluate(async (text) => {
      window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const { svg } = await window.mermaid.render('walked', text);
      const out = document.getElementById('out');
      out.innerHTML = svg;
      const nodes = [...out.querySelectorAll('g.node')];
      return {
        nodes: nodes.length,
        classes: nodes.map((node) => [...node.classList].filter((c) => /^(ok|warn|crit|unknown)$/.test(c))),
        text: out.textContent,
        markup: out.querySelectorAll('b, i, img, script').length,
        edges: out.querySelectorAll('.edgePaths path').length,
      };
    }, diagram.stdout);
    await page.close();

    assert.deepEqual(errors, []);
    assert.equal(drawn.nodes, graph.nodes.length, 'one drawn node per node of the walk');
    assert.equal(drawn.edges, graph.edges.length, 'one drawn edge per edge of the walk');
    const levels = drawn.classes.map((c) => c.join());
    assert.ok(levels.every((c) => c !== ''), `every node has a level class: ${levels}`);
    assert.deepEqual(levels.filter((c) => c === 'crit').length, 3, 'front, back end and the cache');
    assert.ok(levels.includes('warn') && levels.includes('ok'));
    assert.ok(drawn.text.includes(HOSTILE_NAME), `the name as text in: ${drawn.text}`);
    assert.ok(drawn.text.includes('Front --> door'));
    assert.equal(drawn.markup, 0, 'no markup from service text');
  });
});
