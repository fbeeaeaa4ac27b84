// The web page, end to end: built with Vite, served as static files, driven in headless Chromium
// with WebGPU on SwiftShader. `pnpm screenshots` runs it and saves the screenshots to results/
// (committed; look at them after a change); a plain test run takes none.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  browserMissing,
  buildAndServe,
  collectErrors,
  launchChromium,
  REQUIRE_WEBGPU,
  saveScreenshot,
  type ServedPage,
} from 'app-kit/e2e';

const root = fileURLToPath(new URL('..', import.meta.url));
const missing = browserMissing();
if (missing) console.warn(`skipping the vanishing-gradient page's browser tests: ${missing}`);

async function open(browser: Browser, url: string, width: number, height: number) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = collectErrors(page);
  await page.goto(url);
  await page.waitForSelector('#train:not([disabled])', { timeout: 60_000 });
  await page.waitForSelector('#backend-note[data-backend]');
  const name = (await page.getAttribute('#backend-note', 'data-backend'))!;
  if (name !== 'webgpu') {
    const note = await page.textContent('#backend-note');
    if (REQUIRE_WEBGPU)
      throw new Error(`NABLA_REQUIRE_WEBGPU=1 but the page runs on ${name}: ${note}`);
    console.warn(`the vanishing-gradient page runs on ${name}, not WebGPU: ${note}`);
  }
  return { page, errors };
}

/** Trains until the charts have had `updates` updates, then stops. */
async function train(page: Page, updates: number) {
  await page.focus('#train');
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => Number(document.body.dataset.updates) >= n, updates, {
    timeout: 90_000,
    polling: 250,
  });
  await page.click('#stop');
  await page.waitForSelector('#train:not([disabled])');
}

const chain = async (page: Page) => ({
  product: Number(await page.getAttribute('#chain-result', 'data-product')),
  autograd: Number(await page.getAttribute('#chain-result', 'data-autograd')),
});

describe.skipIf(missing !== undefined && !REQUIRE_WEBGPU)(
  'the vanishing-gradient page in Chromium',
  () => {
    let served: ServedPage;
    let browser: Browser;

    beforeAll(async () => {
      if (missing) throw new Error(`NABLA_REQUIRE_WEBGPU=1 but ${missing}`);
      [served, browser] = await Promise.all([buildAndServe(root), launchChromium()]);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await served?.close();
    }, 30_000); // closing Chromium can take more than the default 10 s on a loaded machine

    test('draws the gradient norms of both networks as they train, and the chain follows its sliders', async () => {
      const { page, errors } = await open(browser, served.url, 1280, 900);
      await train(page, 3);
      // a bar per hidden layer and network; a curve per hidden layer in each network's chart
      expect(await page.locator('#bars-chart svg rect title').count()).toBe(8);
      for (const net of ['sigmoid', 'relu'])
        expect(await page.locator(`#${net}-chart svg path`).count()).toBe(4);
      expect(await page.locator('#accuracy-chart svg path').count()).toBe(2);
      // the vanishing gradient: the sigmoid net's last hidden layer learns far faster than its first
      const ratio = async (net: string) =>
        Number(await page.getAttribute(`#summary tr[data-runner="${net}"] .ratio`, 'data-value'));
      const [sigmoid, relu] = [await ratio('sigmoid'), await ratio('relu')];
      console.log(`last ÷ first layer's ‖∂C/∂b‖: sigmoid ${sigmoid}, ReLU ${relu}`);
      expect(sigmoid).toBeGreaterThan(10);
      expect(sigmoid).toBeGreaterThan(10 * relu);

      // the chain: the product of the factors is autograd's ∂C/∂b1, before and after a slider moves
      const before = await chain(page);
      expect(before.product).toBeCloseTo(-2.2794461551965e-5, 15); // the lecture's draws (seed 1)
      expect(Math.abs(before.product - before.autograd)).toBeLessThanOrEqual(
        1e-12 * Math.abs(before.autograd),
      );
      await page.focus('#w2');
      for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
      await page.waitForFunction(
        (p) => Number(document.getElementById('chain-result')!.dataset.product) !== p,
        before.product,
      );
      expect(await page.inputValue('#w2')).not.toBe('-0.3');
      const after = await chain(page);
      expect(Math.abs(after.product - after.autograd)).toBeLessThanOrEqual(
        1e-12 * Math.abs(after.autograd),
      );
      await page.click('#chain-large');
      await page.waitForFunction(
        () => Math.abs(Number(document.getElementById('chain-result')!.dataset.product)) > 1e-3,
      );
      const large = await chain(page);
      expect(Math.abs(large.product - large.autograd)).toBeLessThanOrEqual(
        1e-12 * Math.abs(large.autograd),
      );
      await page.click('#chain-seed');
      await page.waitForFunction(
        (p) => Number(document.getElementById('chain-result')!.dataset.product) === p,
        before.product,
      );

      await saveScreenshot(page, 'web-desktop.png');
      // the same page at a phone's width: one column, charts redrawn to fit, no sideways scroll
      await page.setViewportSize({ width: 375, height: 812 });
      await page.waitForFunction(
        () => document.querySelector('#bars-chart svg')!.clientWidth < 360,
      );
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        375,
      );
      await saveScreenshot(page, 'web-phone.png');
      expect(errors).toEqual([]);
      await page.close();
    }, 150_000);

    test('at phone width (375 px): no sideways scrolling, labelled controls, sliders move by keyboard', async () => {
      const { page, errors } = await open(browser, served.url, 375, 812);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        375,
      );
      const unlabelled = await page.$$eval('input, select', (els) =>
        els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.id),
      );
      expect(unlabelled).toEqual([]);
      const before = await chain(page);
      await page.focus('#b1');
      await page.keyboard.press('ArrowLeft');
      await page.waitForFunction(
        (p) => Number(document.getElementById('chain-result')!.dataset.product) !== p,
        before.product,
      );
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  },
);
