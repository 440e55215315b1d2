// The gallery in a real browser: Debian's Chromium driven by playwright-core.
//
//   node tests/preview/check.mjs <gallery dir> <docs page with the findings table>
//
// For every email of the gallery (manifest.json): no horizontal scroll at 375 px and 1024 px,
// no serious or critical axe-core violation in light and in dark mode, the code (or Cognito's
// placeholder, or the temporary password) visible, dark-mode styles that take effect, and a
// screenshot of each scheme in <gallery>/shots/. The gallery's own pages pass axe and do not
// scroll sideways at 375 px. Then every email goes through caniemail's data
// (@jsx-email/doiuse-email: Gmail, Outlook, Apple Mail) and html-validate: each finding must be
// listed, with its reason, in the docs page's findings table, and each listed one must still
// occur. Before any of it, a page built to fail must fail the width, visibility and contrast
// checks.
//
// Prints one JSON line (the report) last; exits 1 on any failure.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { doIUseEmail } from '@jsx-email/doiuse-email';
import { HtmlValidate } from 'html-validate';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// LOCAL-STACK.md: without the network flags Chromium keeps trying hosts this machine cannot reach.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WIDTHS = [375, 1024];
const CLIENTS = ['gmail.*', 'outlook.*', 'apple-mail.*'];

const [galleryArg, docsArg] = process.argv.slice(2);
if (!galleryArg || !docsArg) {
  console.error('usage: node tests/preview/check.mjs <gallery dir> <docs page>');
  process.exit(2);
}
const gallery = resolve(galleryArg);
const shots = join(gallery, 'shots');
mkdirSync(shots, { recursive: true });
const manifest = JSON.parse(readFileSync(join(gallery, 'manifest.json'), 'utf8'));
const failures = [];
const fail = (what, why) => failures.push(`${what}: ${why}`);

/** Serious and critical axe violations on the page, as "rule (n nodes)". */
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: AXE });
  }
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes.length}: ${v.nodes[0]?.target?.join(' ')})`);
}

/** How far the page scrolls sideways, in CSS pixels (0 when it does not). */
const sideways = (page) => page.evaluate(() =>
  Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth));

/** The relative luminance (0 black to 1 white) of the background of each element that
 *  `selectors` names, as { selector: luminance }; an element that is missing is left out. */
const backgroundLuminance = (page, selectors) => page.evaluate((list) => {
  const c = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const out = {};
  for (const selector of list) {
    const el = document.querySelector(selector);
    if (!el) continue;
    const [r, g, b] = getComputedStyle(el).backgroundColor.match(/\d+(\.\d+)?/g).map(Number);
    out[selector] = 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
  }
  return out;
}, selectors);
// What dark mode must darken: the page and the card the message sits on.
const DARKENED = ['body', '.cr-card'];

/** The checks of one email, at one width and scheme. */
async function checkEmail(page, url, what, { mustShow, scheme, width, shot }) {
  await page.setViewportSize({ width, height: 800 });
  await page.emulateMedia({ colorScheme: scheme });
  await page.goto(url);
  const found = { what, width, scheme };
  const over = await sideways(page);
  if (over > 0) fail(`${what} at ${width} px (${scheme})`, `scrolls ${over} px sideways`);
  if (mustShow) {
    const text = await page.evaluate(() => document.body.innerText);
    if (!text.includes(mustShow)) fail(`${what} (${scheme})`, `does not show ${mustShow}`);
  }
  if (width === WIDTHS[0]) {
    const violations = await axe(page);
    if (violations.length) fail(`${what} (${scheme})`, `axe: ${violations.join('; ')}`);
    found.luminance = await backgroundLuminance(page, DARKENED);
    if (shot) await page.screenshot({ path: shot, fullPage: true });
  }
  return found;
}

/** A page built to fail: wider than a phone, unreadable button text, no code. */
async function selfTest(page) {
  const bad = join(shots, '..', 'self-test.html');
  writeFileSync(bad, '<!DOCTYPE html><html lang="en"><head><title>bad</title></head><body>'
    + '<table style="width:900px"><tr><td><a href="#" style="background:#ffcc00;color:#ffffff;padding:8px">Reset</a>'
    + '</td></tr></table></body></html>');
  const before = failures.length;
  await checkEmail(page, pathToFileURL(bad).href, 'self-test', { mustShow: '123456', scheme: 'light', width: 375 });
  const caught = failures.splice(before);
  const want = [/scrolls \d+ px sideways/, /does not show 123456/, /axe: color-contrast/];
  for (const w of want) {
    if (!caught.some((c) => w.test(c))) fail('self-test', `a page built to fail was not caught by ${w}`);
  }
}

/** The cells of a Markdown table row; `\|` in a cell is a literal bar. */
const cells = (row) => row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '')
  .split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));

/** The email-client families caniemail's client ids belong to, and how the docs name them. */
const FAMILIES = [['gmail', /\bGmail\b/], ['outlook', /\bOutlook\b/], ['apple-mail', /\b(Apple|iOS) Mail\b/]];
/** The families a list of client ids (`gmail.ios`) or a clients cell ("Gmail apps") names. */
const families = (clients) => FAMILIES
  .filter(([id, name]) => (Array.isArray(clients) ? clients.some((c) => c.split('.')[0] === id) : name.test(clients)))
  .map(([id]) => id).join(', ') || '–';

/** The findings table of the docs page: rows `| tool | finding | clients | why |`. */
function listedFindings(docs) {
  const text = readFileSync(docs, 'utf8');
  const start = text.indexOf('<!-- findings:start -->');
  const end = text.indexOf('<!-- findings:end -->');
  if (start < 0 || end < start) throw new Error(`${docs}: no <!-- findings:start --> ... <!-- findings:end --> table`);
  const rows = text.slice(start, end).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| tool') && !l.startsWith('| ---'));
  const listed = new Map();
  for (const row of rows) {
    const c = cells(row);
    if (c.length !== 4) {
      fail(docs, `a findings row has ${c.length} cells, not 4 (tool, finding, clients, why): ${row}`);
      continue;
    }
    const [tool, finding, clients, why] = c;
    if (!why) fail(docs, `the finding ${finding} has no reason`);
    const key = `${tool} ${finding.replace(/^`|`$/g, '')}`;
    if (listed.has(key)) fail(docs, `${key} is listed twice`);
    listed.set(key, { clients, why });
  }
  return listed;
}

/** Every caniemail and html-validate finding of the emails, by tool and feature. */
async function emailClientFindings(emails) {
  const found = new Map();
  const add = (key, detail) => {
    if (!found.has(key)) found.set(key, new Set());
    found.get(key).add(detail);
  };
  const validator = new HtmlValidate({ extends: ['html-validate:standard'] });
  for (const { id, html } of emails) {
    const r = doIUseEmail(html, { emailClients: CLIENTS });
    for (const [level, list] of [['unsupported', r.success ? [] : r.errors], ['partial', r.warnings]]) {
      for (const m of list) {
        const parts = m.match(/^`(.+?)` is (?:not|only partially) supported by `(.+?)`/);
        if (parts) add(`caniemail ${parts[1]} (${level})`, parts[2]);
        else add(`caniemail ${m}`, id);
      }
    }
    const report = await validator.validateString(html);
    for (const m of report.results.flatMap((x) => x.messages)) {
      add(`html-validate ${m.ruleId}: ${m.message.replace(/ on <\w+> element/, '')}`, id);
    }
  }
  return found;
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
const report = { emails: 0, checks: 0, pages: 0, shots: 0, findings: 0, failures };
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await selfTest(page);
  const emails = [];
  const queue = manifest.filter((e) => {
    for (const p of e.problems) fail(e.id, p);
    if (!e.email) fail(e.id, 'has no email');
    if (e.email && !e.hasDarkStyles) fail(e.id, 'has no dark-mode styles');
    // Inboxes and lock screens show the preheader: the code must never be in it.
    if (e.mustShow && e.preheader?.includes(e.mustShow)) fail(e.id, 'the preheader shows the code');
    return e.email;
  });
  // Two pages at a time: the machine CI runs on has two cores.
  const worker = async (tab) => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      report.emails += 1;
      const url = pathToFileURL(join(gallery, e.email)).href;
      const luminance = {};
      for (const scheme of ['light', 'dark']) {
        for (const width of WIDTHS) {
          const shot = width === WIDTHS[0] ? join(shots, `${e.id}${scheme === 'dark' ? '-dark' : ''}.png`) : undefined;
          const r = await checkEmail(tab, url, e.id, { mustShow: e.mustShow, scheme, width, shot });
          if (r.luminance !== undefined) luminance[scheme] = r.luminance;
          if (shot) report.shots += 1;
          report.checks += 1;
        }
      }
      for (const selector of DARKENED) {
        const [light, dark] = [luminance.light?.[selector], luminance.dark?.[selector]];
        if (!(dark < 0.05 && light > 0.8)) {
          fail(e.id, `dark mode does not take effect on ${selector} (background luminance light ${light}, dark ${dark})`);
        }
      }
      emails.push({ id: e.id, html: readFileSync(join(gallery, e.email), 'utf8') });
    }
  };
  await Promise.all([worker(page), worker(await context.newPage())]);
  // The gallery's own pages, as a person reads them on a phone.
  const pages = ['index.html', ...manifest.map((e) => e.page)];
  for (const p of pages) {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(pathToFileURL(join(gallery, p)).href);
    const over = await sideways(page);
    if (over > 0) fail(p, `scrolls ${over} px sideways at 375 px`);
    const violations = await axe(page);
    if (violations.length) fail(p, `axe: ${violations.join('; ')}`);
    report.pages += 1;
  }
  // The pictures the docs show: the gallery, and one message page with its email.
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(pathToFileURL(join(gallery, 'index.html')).href);
  await page.screenshot({ path: join(shots, 'gallery.png') });
  const example = manifest.find((e) => e.id === 'ForgotPassword.en.senders.typical') ?? manifest[0];
  await page.goto(pathToFileURL(join(gallery, example.page)).href);
  await page.waitForLoadState('load');
  await page.screenshot({ path: join(shots, 'message.png'), fullPage: true });
  report.shots += 2;

  const found = await emailClientFindings(emails);
  const listed = listedFindings(resolve(docsArg));
  for (const [key, details] of found) {
    const entry = listed.get(key);
    if (!entry) {
      fail('email clients', `${key} (${[...details].join(', ')}) is neither fixed nor listed with its reason in ${docsArg}`);
      continue;
    }
    // caniemail's details are the client ids it names (or, for a message of another shape, the
    // emails: no family); html-validate's are the emails, and its rows say –.
    const want = key.startsWith('caniemail ') ? families([...details]) : '–';
    const named = families(entry.clients);
    if (named !== want) {
      fail('email clients', `${key}: ${docsArg} names the clients "${entry.clients}" (${named}), but it occurs in ${want}${want === '–' ? '' : ` (${[...details].join(', ')})`}`);
    }
  }
  for (const key of listed.keys()) {
    if (!found.has(key)) fail('email clients', `${key} is listed in ${docsArg} but no longer occurs: remove it`);
  }
  report.findings = found.size;
} finally {
  await browser.close();
}
for (const f of failures) console.error(`FAIL ${f}`);
console.log(JSON.stringify({ ...report, failures: failures.length }));
process.exit(failures.length ? 1 : 0);
