// The dashboard (/status/dashboard) in a real browser: Debian's Chromium, driven by
// playwright-core, against three real sidecars on free loopback ports:
//
//   Shop (front, dashboard on) ── Payments ── Ledger
//     │                            └─ Queue: CRIT
//     ├─ Ledger ── Disk: WARN
//     └─ Recommendations: a peer that is down (not critical)
//
// and a second front, "Shop (tokens)", the same but behind a token. Any console error, page
// error or Content-Security-Policy violation fails the test.
//
//   HEALTHCHECKS_SIDECAR=build/bin/healthchecks-sidecar node --test tests/browser/
// (CTest runs it: ctest -L browser.) Set HEALTHCHECKS_SCREENSHOT=file.png to also save the
// dashboard with two levels walked; with HEALTHCHECKS_DASHBOARD_URL (e.g.
// http://127.0.0.1:8080/status/dashboard) and HEALTHCHECKS_WALK (e.g. service-2,service-1) that
// picture is of a graph already running (docs/dashboard.png: the demo, scripts/demo.sh).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { eventually, freePort, launchChromium, startSidecar, stopAll } from './support.mjs';

const TOKEN = 'shop-token-0123456789abcdef';

// A page that records every console error, uncaught error and CSP violation. `allowed` lists
// console errors a step expects (Chromium logs a fetch answered 403 as "Failed to load
// resource"); each must then happen.
async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  const allowed = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const hit = allowed.find((a) => a.pattern.test(text));
    if (hit) hit.seen += 1;
    else problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.exposeFunction('reportViolation', (text) => problems.push(`CSP violation: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.reportViolation(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return {
    page,
    context,
    problems,
    allow(pattern) {
      const entry = { pattern, seen: 0 };
      allowed.push(entry);
      return entry;
    },
    assertClean() {
      assert.deepEqual(problems, [], 'the page logged errors or violated its policy');
    },
  };
}

const text = async (page, selector) => ((await page.locator(selector).first().textContent()) || '').trim();

async function levelOf(page, slug) {
  return text(page, `#dependencies tr[data-slug="${slug}"] .level`);
}

async function shows(page, name) {
  await eventually(`the page shows ${name}`, async () => (await text(page, '#service-name')) === name);
}

async function breadcrumb(page) {
  return (await page.locator('#breadcrumb li').allTextContents()).map((s) => s.trim());
}

async function walk(page, slug) {
  await page.locator(`#dependencies tr[data-slug="${slug}"] button.walk`).click();
}

describe('dashboard', () => {
  let browser;
  let dir;
  let front;
  let tokenFront;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'healthchecks-dashboard-'));
    const history = { size: 10 };
    const ledger = await startSidecar(dir, 'ledger', {
      about: { id: 'ledger', summary: 'Ledger', description: 'Keeps the accounts.',
               maintainers: ['ledger@example.com'] },
      version: '3.1.4',
      history,
      checks: [
        { name: 'Document store', slug: 'docs', check: 'static', result: 'OK', delayMs: 2 },
        { name: 'Disk', slug: 'disk', check: 'static', result: 'WARN',
          details: '12% free (warn below 15%)', intervalMs: 500 },
      ],
    });
    const payments = await startSidecar(dir, 'payments', {
      about: {
        id: 'payments', summary: 'Payments',
        // A hostile About: none of it may become markup or a script.
        description: 'Takes payments <img src=x onerror="window.pwned=1"><script>window.pwned=2</script>',
        maintainers: ['<b>payments</b>@example.com'],
        logsLinks: ['javascript:window.pwned=3', 'http://logs.example.com/payments'],
      },
      version: '2.0.0',
      history,
      checks: [
        { name: 'Queue', slug: 'queue', check: 'static', result: 'CRIT',
          details: 'consumer stopped', intervalMs: 500 },
        { name: 'Ledger', slug: 'ledger', type: 'service', check: 'http', url: ledger,
          traversable: true },
      ],
    });
    const down = `http://127.0.0.1:${await freePort()}`;
    const frontChecks = [
      { name: 'Database', slug: 'db', check: 'static', result: 'OK', delayMs: 3 },
      { name: 'Payments', slug: 'payments', type: 'service', check: 'http', url: payments,
        traversable: true, intervalMs: 500 },
      { name: 'Ledger', slug: 'ledger', type: 'service', check: 'http', url: ledger,
        traversable: true, intervalMs: 500 },
      { name: 'Recommendations', slug: 'recommendations', type: 'service', check: 'http',
        url: down, traversable: true, critical: false, timeoutMs: 500 },
    ];
    const shop = {
      about: { id: 'shop', summary: 'Shop', description: 'The front of the test graph.',
               maintainers: ['shop@example.com'], projectRepo: 'https://example.com/shop',
               customData: { team: 'checkout' } },
      version: '1.2.3',
      dashboard: true,
      history,
      checks: frontChecks,
    };
    front = await startSidecar(dir, 'shop', shop);
    tokenFront = await startSidecar(dir, 'shop-tokens', {
      ...shop,
      about: { ...shop.about, id: 'shop-tokens', summary: 'Shop (tokens)' },
      access: { token: TOKEN },
    });
    // The background checks have run (and the history holds their changes).
    await eventually('the front reads Payments CRIT', async () => {
      const about = await (await fetch(`${front}/status/about`)).json();
      return about.customData.statusChanges && about.customData.statusChanges.length >= 2;
    });
    browser = await launchChromium();
  });

  after(async () => {
    await stopAll(browser, dir);
  });

  test('serves the page with its security headers', async () => {
    const answer = await fetch(`${front}/status/dashboard`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(answer.headers.get('content-security-policy'),
                 /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]{43}='; style-src 'sha256-/);
    assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const head = await fetch(`${front}/status/dashboard`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), answer.headers.get('content-length'));
  });

  test('shows levels, walks two levels deep, draws the graph, goes back', async () => {
    const { page, context, assertClean } = await openPage(browser);
    try {
      await page.goto(`${front}/status/dashboard`);
      await shows(page, 'Shop');
      assert.equal(await levelOf(page, 'db'), 'OK');
      assert.equal(await levelOf(page, 'payments'), 'CRIT');
      assert.equal(await levelOf(page, 'ledger'), 'WARN');
      assert.equal(await text(page, '#service-level'), 'CRIT');
      assert.equal(await text(page, '#service-description'), 'The front of the test graph.');
      assert.match(await text(page, '#service-facts'), /1\.2\.3/);
      assert.match(await text(page, '#service-facts'), /checkout/);
      assert.match(await text(page, '#updated'), /^updated \d\d:\d\d:\d\d$/);
      // The recent changes from About's customData.statusChanges.
      await eventually('the history shows a change to CRIT',
                       async () => /Payments: OK → CRIT/.test(await text(page, '#history')));

      // Two levels down: Shop › Payments › Ledger.
      await walk(page, 'payments');
      await shows(page, 'Payments');
      assert.deepEqual(await breadcrumb(page), ['Shop', 'Payments']);
      assert.equal(await levelOf(page, 'queue'), 'CRIT');
      assert.match(await text(page, '#dependencies tr[data-slug="queue"] .details'), /consumer stopped/);
      // The hostile About is text, and its javascript: link is not a link.
      assert.match(await text(page, '#service-description'), /<img src=x onerror=/);
      assert.equal(await page.evaluate(() => window.pwned), undefined);
      assert.equal(await page.locator('a[href^="javascript"]').count(), 0);
      assert.equal(await page.locator('a[href="http://logs.example.com/payments"]').count(), 1);

      await walk(page, 'ledger');
      await shows(page, 'Ledger');
      assert.deepEqual(await breadcrumb(page), ['Shop', 'Payments', 'Ledger']);
      assert.equal(new URL(page.url()).hash, '#walk=payments,ledger');
      assert.equal(await levelOf(page, 'disk'), 'WARN');
      assert.equal(await levelOf(page, 'docs'), 'OK');

      // The graph: every service and dependency read so far, coloured by level. Shop's own
      // Ledger is a node of its own until it is walked (only then is its id known).
      const nodes = page.locator('#graph svg g.node');
      const names = (await nodes.locator('text.name').allTextContents()).sort();
      assert.deepEqual(names, ['Database', 'Disk', 'Document store', 'Ledger', 'Ledger',
                               'Payments', 'Queue', 'Recommendations', 'Shop']);
      const classOf = async (name) => nodes.filter({ hasText: name }).first().getAttribute('class');
      assert.match(await classOf('Payments'), /\blevel-crit\b/);
      assert.match(await classOf('Database'), /\blevel-ok\b/);
      assert.equal(await text(page, '#graph g.node.current text.name'), 'Ledger');
      assert.match(await page.locator('#graph g.node.current').getAttribute('class'),
                   /\blevel-warn\b/);
      assert.ok(await page.locator('#graph svg path.edge.level-crit').count() >= 2);
      if (process.env.HEALTHCHECKS_SCREENSHOT && !process.env.HEALTHCHECKS_DASHBOARD_URL) {
        await page.screenshot({ path: process.env.HEALTHCHECKS_SCREENSHOT, fullPage: true });
      }

      // Back: the browser's button, then the breadcrumb.
      await page.goBack();
      await shows(page, 'Payments');
      await page.locator('#breadcrumb a', { hasText: 'Shop' }).click();
      await shows(page, 'Shop');
      assert.deepEqual(await breadcrumb(page), ['Shop']);

      // A graph node walks too.
      await page.locator('#graph svg g.node.walkable', { hasText: 'Payments' }).click();
      await shows(page, 'Payments');
      await page.goBack();
      await shows(page, 'Shop');

      // A peer that is down: the walk's CRIT answer is that node's error, not a crash.
      await walk(page, 'recommendations');
      await eventually('the walk error is shown',
                       async () => /Could not read Recommendations: CRIT/.test(await text(page, '#error')));
      assert.match(await classOf('Recommendations'), /\bwalk-error\b/);

      // Pause and resume.
      await page.locator('#pause').click();
      assert.equal(await page.locator('#pause').getAttribute('aria-pressed'), 'true');
      assert.match(await text(page, '#updated'), /\(paused\)$/);
      await page.locator('#pause').click();
      assert.equal(await page.locator('#pause').getAttribute('aria-pressed'), 'false');
      assertClean();
    } finally {
      await context.close();
    }
  });

  test('the policy is enforced, and this test sees what it refuses', async () => {
    const { page, context, problems } = await openPage(browser);
    try {
      await page.goto(`${front}/status/dashboard`);
      await shows(page, 'Shop');
      assert.deepEqual(problems, []);
      // What a hostile About would need, were it ever put in as markup: both are refused.
      await page.evaluate(() => {
        document.body.setAttribute('style', 'color: red');
        const img = document.createElement('img');
        img.setAttribute('src', 'http://127.0.0.1:9/x.png');
        document.body.appendChild(img);
      });
      await eventually('both violations are reported', async () =>
        problems.some((p) => /CSP violation: style-src-attr/.test(p)) &&
        problems.some((p) => /CSP violation: img-src/.test(p)));
    } finally {
      await context.close();
    }
  });

  test('behind a token: the redacted form until the token is typed in', async () => {
    const { page, context, assertClean, allow } = await openPage(browser);
    try {
      await page.goto(`${tokenFront}/status/dashboard`);
      await shows(page, 'Shop (tokens)');
      // Levels stay public; details, description and the history do not.
      assert.equal(await levelOf(page, 'payments'), 'CRIT');
      assert.equal(await text(page, '#dependencies tr[data-slug="payments"] .details'), '');
      assert.equal(await text(page, '#service-description'), '');
      assert.ok(await page.locator('#redacted').isVisible());
      assert.ok(await page.locator('#history-section').isHidden());
      // A walk needs the token: the 403 is shown (Chromium logs the failed fetch).
      const forbidden = allow(/Failed to load resource: the server responded with a status of 403/);
      await walk(page, 'payments');
      await eventually('the 403 is shown',
                       async () => /needs a token \(HTTP 403\)/.test(await text(page, '#error')));
      assert.ok(forbidden.seen >= 1, 'the 403 reached the console as Chromium logs it');

      // With the token typed in: details, and the walk goes through.
      await page.locator('#token').fill(TOKEN);
      await page.locator('#token-apply').click();
      await shows(page, 'Payments');
      assert.ok(await page.locator('#error').isHidden());
      assert.match(await text(page, '#dependencies tr[data-slug="queue"] .details'), /consumer stopped/);
      assert.match(await text(page, '#service-description'), /^Takes payments/);
      await page.locator('#breadcrumb a', { hasText: 'Shop (tokens)' }).click();
      await shows(page, 'Shop (tokens)');
      assert.equal(await text(page, '#service-description'), 'The front of the test graph.');
      assert.match(await text(page, '#dependencies tr[data-slug="payments"] .details'), /Payments check failed/);
      assert.ok(await page.locator('#redacted').isHidden());
      // The token never leaves the page's memory.
      assert.ok(!page.url().includes(TOKEN));
      assert.deepEqual(await page.evaluate(() => [localStorage.length, sessionStorage.length,
                                                  document.cookie]), [0, 0, '']);
      assertClean();
    } finally {
      await context.close();
    }
  });

  // HEALTHCHECKS_SCREENSHOT with HEALTHCHECKS_DASHBOARD_URL: a picture of a running graph.
  if (process.env.HEALTHCHECKS_DASHBOARD_URL) test('screenshot of a running graph', async () => {
    const { page, context, assertClean } = await openPage(browser);
    try {
      await page.goto(process.env.HEALTHCHECKS_DASHBOARD_URL);
      await eventually('the page has loaded',
                       async () => !/Loading/.test(await text(page, '#service-name')));
      for (const slug of (process.env.HEALTHCHECKS_WALK || '').split(',').filter(Boolean)) {
        const before = await text(page, '#service-name');
        await walk(page, slug);
        await eventually(`walked into ${slug}`,
                         async () => (await text(page, '#service-name')) !== before);
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: process.env.HEALTHCHECKS_SCREENSHOT, fullPage: true });
      assertClean();
    } finally {
      await context.close();
    }
  });
});
