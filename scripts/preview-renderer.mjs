#!/usr/bin/env node
// DEV ONLY: screenshots of the window running on the in-page fake (dist/renderer-dev/, build it
// with `node scripts/build-renderer.mjs --dev`), at 1280×800 in headless Chromium. Prints page
// errors so a broken view fails loudly. Usage: node scripts/preview-renderer.mjs [outdir]
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? '/tmp/renderer-shots';
await mkdir(out, { recursive: true });
const page0 = pathToFileURL(join(root, 'dist', 'renderer-dev', 'index.html')).href;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
let failures = 0;
async function shot(name, query, steps = async () => {}, scheme = 'dark') {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
  page.on('pageerror', (e) => {
    failures++;
    console.error(`[${name}] page error:`, e.message);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') {
      failures++;
      console.error(`[${name}] console:`, m.text());
    }
  });
  await page.goto(`${page0}${query}`);
  await page.waitForTimeout(400);
  await steps(page);
  const file = join(out, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(file);
  await page.close();
}

await shot('01-empty', '?noinspect');
await shot('02-http-text', '?demo', async (p) => {
  await p.waitForTimeout(800);
});
await shot('03-http-hex', '?demo', async (p) => {
  await p.waitForTimeout(800);
  await p.keyboard.press('Alt+KeyH');
  await p.waitForTimeout(100);
});
await shot('04-server', '?demo&select=tcpServer:1', async (p) => {
  await p.waitForTimeout(2500);
});
await shot('05-accepted', '?demo', async (p) => {
  await p.waitForTimeout(2000);
  await p.evaluate(() => window.__debugApp.select('tcp:3'));
  await p.fill('.compose-input', 'hello client');
  await p.selectOption('.compose-bar select', '\r\n');
  await p.press('.compose-input', 'Enter');
  await p.waitForTimeout(300);
  await p.keyboard.press('Alt+KeyH');
  await p.waitForTimeout(100);
});
await shot('06-udp', '?demo&select=udp:1', async (p) => {
  await p.waitForTimeout(500);
  await p.fill('.compose-dest input[aria-label="Destination port"]', '7');
  await p.fill('.compose-input', 'hello\\r\\n\\x00\\xff');
  await p.press('.compose-input', 'Enter');
  await p.waitForTimeout(300);
});
await shot('07-flood', '', async (p) => {
  await p.fill('form[aria-label="New TCP client"] input[placeholder="e.g. 7"]', '19');
  await p.press('form[aria-label="New TCP client"] input[placeholder="e.g. 7"]', 'Enter');
  await p.waitForTimeout(3000);
  // Responsiveness while flooding: a frame must still come within ~100 ms.
  const gaps = await p.evaluate(
    () =>
      new Promise((resolve) => {
        const out = [];
        let last = performance.now();
        const end = last + 2000;
        const step = (t) => {
          out.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(step);
          else resolve(out);
        };
        requestAnimationFrame(step);
      }),
  );
  const max = Math.max(...gaps);
  const avg = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const rx = await p.evaluate(() => document.querySelector('.s-rxRate')?.textContent);
  console.log(`flood at ${rx}: ${gaps.length} frames in 2 s, average gap ${avg.toFixed(1)} ms, worst ${max.toFixed(1)} ms`);
});
await shot('08-inspector', '?demo', async (p) => {
  await p.keyboard.press('Alt+KeyI');
  await p.waitForTimeout(1200);
});
await shot('09-help', '?demo', async (p) => {
  await p.waitForTimeout(300);
  await p.keyboard.press('F1');
  await p.waitForTimeout(200);
});
await shot(
  '10-light',
  '?demo',
  async (p) => {
    await p.waitForTimeout(800);
  },
  'light',
);
await shot('11-tls-error', '', async (p) => {
  await p.fill('form[aria-label="New TCP client"] input[placeholder="e.g. 7"]', '1');
  await p.check('form[aria-label="New TCP client"] input[type="checkbox"]');
  await p.press('form[aria-label="New TCP client"] input[placeholder="e.g. 7"]', 'Enter');
  await p.waitForTimeout(600);
});
await browser.close();
if (failures) {
  console.error(`${failures} page error(s)`);
  process.exit(1);
}
