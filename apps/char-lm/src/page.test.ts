// The web page, end to end: built with Vite, served as static files, driven in headless Chromium
// with WebGPU on SwiftShader. With NABLA_SCREENSHOTS=DIR (`pnpm screenshots` sets results/) it saves
// a screenshot there; otherwise it writes nothing.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import {
  browserMissing,
  buildAndServe,
  collectErrors,
  launchChromium,
  REQUIRE_WEBGPU,
  type ServedPage,
} from 'app-kit/e2e';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const screenshots = process.env.NABLA_SCREENSHOTS;
const missing = browserMissing();
if (missing) console.warn(`skipping the char-lm page's browser tests: ${missing}`);

/** Training steps before stopping: few, for SwiftShader. */
const STEPS = 20;
const SAMPLE_LENGTH = 40;

/** Which backend the page says it runs on; with NABLA_REQUIRE_WEBGPU=1, anything but WebGPU fails. */
async function backendOf(page: Page): Promise<string> {
  const name = (await page.getAttribute('#backend-note', 'data-backend'))!;
  const note = await page.textContent('#backend-note');
  if (name !== 'webgpu') {
    if (REQUIRE_WEBGPU)
      throw new Error(`NABLA_REQUIRE_WEBGPU=1 but the page runs on ${name}: ${note}`);
    console.warn(`the char-lm page runs on ${name}, not WebGPU: ${note}`);
  }
  return name;
}

describe.skipIf(missing !== undefined && !REQUIRE_WEBGPU)('the char-lm page in Chromium', () => {
  let served: ServedPage;
  let browser: Browser;

  beforeAll(async () => {
    if (missing) throw new Error(`NABLA_REQUIRE_WEBGPU=1 but ${missing}`);
    [served, browser] = await Promise.all([buildAndServe(root), launchChromium()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  test(`a tiny GPT trains ${STEPS} steps: the validation loss falls; a sample of the length asked for; an attention heatmap`, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = collectErrors(page);
    await page.goto(served.url);
    await page.waitForSelector('#train:not([disabled])', { timeout: 60_000 });
    await page.waitForSelector('#backend-note[data-backend]');
    const backend = await backendOf(page);
    await page.selectOption('#size', 'tiny');
    await page.fill('#lr', '0.01');
    await page.fill('#batchSize', '16');
    await page.fill('#steps', '200');
    await page.fill('#sampleLength', String(SAMPLE_LENGTH));
    await page.click('#train');
    await page.waitForFunction(
      (steps) => Number(document.getElementById('step')!.textContent!.replace(/,/g, '')) >= steps,
      STEPS,
      { timeout: 150_000, polling: 250 },
    );
    await page.click('#stop');
    await page.waitForSelector('#train:not([disabled])');
    const step = Number((await page.textContent('#step'))!.replace(/,/g, ''));
    // Stop measures the last step: wait for that validation
    await page.waitForFunction(
      (s) => Number(document.getElementById('validation-loss')!.dataset.step) === s,
      step,
      { timeout: 60_000 },
    );
    const losses = await page.$$eval('#history li', (lis) =>
      lis.map((li) => [Number(li.dataset.step), Number(li.dataset.loss)] as const),
    );
    const first = losses.at(-1)!; // the list is newest first
    const last = losses[0]!;
    console.log(
      `char-lm page on ${backend}: validation loss ${first[1]} at step ${first[0]}, ${last[1]} at step ${last[0]}`,
    );
    expect(first[0]).toBe(0);
    expect(last[0]).toBe(step);
    expect(first[1]).toBeGreaterThan(3.5); // ln 54 = 3.99: an untrained model guesses
    expect(last[1]).toBeLessThan(first[1] - 0.3);
    expect(await page.locator('#loss-chart svg path').count()).toBeGreaterThan(0);

    // a sample on request: the prompt, then exactly the characters asked for
    await page.fill('#prompt', 'Ma');
    await page.click('#write');
    await page.waitForFunction(
      (n) => document.getElementById('sample')!.dataset.length === String(n),
      SAMPLE_LENGTH,
      { timeout: 60_000 },
    );
    const text = (await page.textContent('#sample'))!;
    expect(text.startsWith('Ma')).toBe(true);
    expect(Array.from(text)).toHaveLength(2 + SAMPLE_LENGTH);

    // the attention of block 1, head 1 for the default prompt: a causal triangle of weights
    await page.click('#show-attention');
    await page.waitForSelector('#heatmap svg', { timeout: 60_000 });
    const weights = await page.$$eval('#heatmap rect[data-w]', (rs) =>
      rs.map((r) => Number(r.getAttribute('data-w'))),
    );
    const n = Number(await page.getAttribute('#heatmap', 'data-tokens'));
    expect(n).toBe('Annabel'.length);
    expect(weights).toHaveLength((n * (n + 1)) / 2);
    // each row sums to 1: the last row's n weights are the last n cells
    expect(weights.slice(-n).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);

    if (screenshots)
      await page.screenshot({
        path: join(resolve(root, screenshots), 'web-desktop.png'),
        fullPage: true,
      });
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
