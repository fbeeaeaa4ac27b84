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
if (missing) console.warn(`skipping the MNIST page's browser tests: ${missing}`);

/** Training steps before the accuracy is read: a few hundred, few enough for SwiftShader. */
const STEPS = 300;

async function open(browser: Browser, url: string, width: number, height: number) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = collectErrors(page);
  await page.goto(url);
  await page.waitForSelector('#train:not([disabled])', { timeout: 60_000 });
  await page.waitForSelector('#backend-note[data-backend]');
  return { page, errors };
}

/** Which backend the page says it runs on; with NABLA_REQUIRE_WEBGPU=1, anything but WebGPU fails. */
async function backendOf(page: Page): Promise<string> {
  const name = (await page.getAttribute('#backend-note', 'data-backend'))!;
  const note = await page.textContent('#backend-note');
  if (name !== 'webgpu') {
    if (REQUIRE_WEBGPU)
      throw new Error(`NABLA_REQUIRE_WEBGPU=1 but the page runs on ${name}: ${note}`);
    console.warn(`the MNIST page runs on ${name}, not WebGPU: ${note}`);
  }
  return name;
}

/** Draws a 7 on the pad with the mouse: a bar across the top, then a stroke down to the left. */
async function drawSeven(page: Page) {
  const pad = page.locator('#pad');
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(0.25, 0.22));
  await page.mouse.down();
  await page.mouse.move(...at(0.72, 0.22), { steps: 8 });
  await page.mouse.move(...at(0.45, 0.82), { steps: 10 });
  await page.mouse.up();
}

describe.skipIf(missing !== undefined && !REQUIRE_WEBGPU)('the MNIST page in Chromium', () => {
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

  test(`trains ${STEPS} steps on WebGPU above chance; a drawn digit gets ten probabilities summing to 1`, async () => {
    const { page, errors } = await open(browser, served.url, 1280, 900);
    const backend = await backendOf(page);
    // start from the keyboard: focus the button and press Enter
    await page.focus('#train');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (steps) => Number(document.getElementById('step')!.textContent!.replace(/,/g, '')) >= steps,
      STEPS,
      { timeout: 150_000, polling: 250 },
    );
    await page.click('#stop');
    // Stop evaluates the last step: wait until the accuracy shown is from after the last step
    await page.waitForSelector('#train:not([disabled])');
    const step = Number((await page.textContent('#step'))!.replace(/,/g, ''));
    await page.waitForFunction(
      (s) => Number(document.getElementById('test-accuracy')!.dataset.step) === s,
      step,
    );
    const accuracy = Number(await page.getAttribute('#test-accuracy', 'data-accuracy'));
    console.log(`MNIST page on ${backend}: ${step} steps, test accuracy ${accuracy}`);
    expect(step).toBeGreaterThanOrEqual(STEPS);
    expect(accuracy).toBeGreaterThan(0.5); // chance is 0.1
    expect(await page.locator('#mistakes button').count()).toBeGreaterThan(0);
    // the charts have their curves
    expect(await page.locator('#loss-chart svg path').count()).toBeGreaterThan(0);
    expect(await page.locator('#accuracy-chart svg path').count()).toBeGreaterThanOrEqual(2);

    await drawSeven(page);
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLElement>('#probs li')).every((li) => li.dataset.p),
    );
    const p = await page.$$eval('#probs li', (lis) => lis.map((li) => Number(li.dataset.p)));
    expect(p).toHaveLength(10);
    for (const v of p) expect(v).toBeGreaterThanOrEqual(0);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(await page.textContent('#verdict')).toMatch(/^The network reads a \d/);

    await saveScreenshot(page, 'web-desktop.png');
    // the same trained page at a phone's width: one column, charts redrawn to fit, no sideways scroll
    await page.setViewportSize({ width: 375, height: 812 });
    await page.waitForFunction(() => document.querySelector('#loss-chart svg')!.clientWidth < 360);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      375,
    );
    await saveScreenshot(page, 'web-phone.png');
    expect(errors).toEqual([]);
    await page.close();
  }, 200_000);

  // On the page's CPU backend (WebAssembly): SwiftShader takes a minute for each evaluation of LeNet on
  // 1,000 test images; webgpu.test.ts checks that LeNet on WebGPU computes what it does on the CPU.
  test('LeNet-5: the page trains it, and its mistakes and the drawing pad work', async () => {
    const { page, errors } = await open(browser, served.url, 1280, 900);
    await page.selectOption('#model', 'lenet');
    await page.selectOption('#backend', 'cpu');
    // the perceptron's fields are off, and the optimizer became Adam with its learning rate
    expect(await page.isDisabled('#depth')).toBe(true);
    expect(await page.inputValue('#optimizer')).toBe('adam');
    expect(await page.inputValue('#lr')).toBe('0.001');
    await page.click('#train');
    await page.waitForFunction(
      () => Number(document.getElementById('step')!.textContent!.replace(/,/g, '')) >= 30,
      undefined,
      { timeout: 150_000, polling: 250 },
    );
    await page.click('#stop');
    await page.waitForSelector('#train:not([disabled])');
    const step = Number((await page.textContent('#step'))!.replace(/,/g, ''));
    await page.waitForFunction(
      (s) => Number(document.getElementById('test-accuracy')!.dataset.step) === s,
      step,
    );
    expect(Number(await page.getAttribute('#test-accuracy', 'data-accuracy'))).toBeGreaterThan(0.3);
    // a misclassified digit goes onto the pad, and LeNet reads it: ten probabilities summing to 1
    await page.locator('#mistakes button').first().click();
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLElement>('#probs li')).every((li) => li.dataset.p),
    );
    const fromMistake = await page.$$eval('#probs li', (lis) =>
      lis.map((li) => Number(li.dataset.p)),
    );
    expect(fromMistake.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    await page.click('#clear');
    await drawSeven(page);
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLElement>('#probs li')).every((li) => li.dataset.p),
    );
    const drawn = await page.$$eval('#probs li', (lis) => lis.map((li) => Number(li.dataset.p)));
    expect(drawn.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(await page.textContent('#verdict')).toMatch(/^The network reads a \d/);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  test('at phone width (375 px): one column, no sideways scrolling, operable by keyboard', async () => {
    const { page, errors } = await open(browser, served.url, 375, 812);
    await backendOf(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      375,
    );
    // Tab from the top reaches the form's controls in order, then the buttons
    const order: string[] = [];
    await page.focus('body');
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.id ?? ''));
    }
    expect(order.slice(0, 12)).toEqual([
      '', // the skip link
      'model',
      'depth',
      'width',
      'activation',
      'dropout',
      'optimizer',
      'lr',
      'l2',
      'batchSize',
      'backend',
      'train',
    ]);
    // every control has a label
    const unlabelled = await page.$$eval('input, select', (els) =>
      els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.id),
    );
    expect(unlabelled).toEqual([]);
    // a test image from the keyboard: the pad shows it and the probabilities appear
    await page.focus('#sample');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll<HTMLElement>('#probs li')).every((li) => li.dataset.p),
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
