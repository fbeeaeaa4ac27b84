// The web page, end to end: built with Vite, served as static files, driven in headless Chromium
// with WebGPU on SwiftShader. `pnpm screenshots` runs it and saves the screenshots to results/
// (committed; look at them after a change); a plain test run takes none.
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  describePage,
  desktopThenPhone,
  PHONE,
  scrollWidth,
  stopTraining,
  unlabelledControls,
} from 'app-kit/page-test';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Trains until the charts have had `updates` updates, then stops. */
async function train(page: Page, updates: number) {
  await page.focus('#train');
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => Number(document.body.dataset.updates) >= n, updates, {
    timeout: 90_000,
    polling: 250,
  });
  await stopTraining(page);
}

const chain = async (page: Page) => ({
  product: Number(await page.getAttribute('#chain-result', 'data-product')),
  autograd: Number(await page.getAttribute('#chain-result', 'data-autograd')),
});

describePage('vanishing-gradient', root, ({ open }) => {
  test('draws the gradient norms of both networks as they train, and the chain follows its sliders', async () => {
    const { page, errors } = await open(1280, 900);
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

    // a screenshot; the same page at a phone's width: one column, charts redrawn to fit, no sideways
    // scroll
    await desktopThenPhone(page, '#bars-chart');
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);

  test('at phone width (375 px): no sideways scrolling, labelled controls, sliders move by keyboard', async () => {
    const { page, errors } = await open(PHONE.width, PHONE.height);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    expect(await unlabelledControls(page)).toEqual([]);
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
});
