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
  waitForStep,
} from 'app-kit/page-test';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Training steps before the accuracy is read: a few hundred, few enough for SwiftShader. */
const STEPS = 300;

/** Waits until the test accuracy shown is the one measured at `step`, and returns it. */
async function accuracyAt(page: Page, step: number): Promise<number> {
  await page.waitForFunction(
    (s) => Number(document.getElementById('test-accuracy')!.dataset.step) === s,
    step,
  );
  return Number(await page.getAttribute('#test-accuracy', 'data-accuracy'));
}

/** Waits until each digit's probability is shown, and returns the ten of them. */
async function probabilities(page: Page): Promise<number[]> {
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll<HTMLElement>('#probs li')).every((li) => li.dataset.p),
  );
  return page.$$eval('#probs li', (lis) => lis.map((li) => Number(li.dataset.p)));
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

describePage('MNIST', root, ({ open }) => {
  test(`trains ${STEPS} steps on WebGPU above chance; a drawn digit gets ten probabilities summing to 1`, async () => {
    const { page, errors, backend } = await open(1280, 900);
    // start from the keyboard: focus the button and press Enter
    await page.focus('#train');
    await page.keyboard.press('Enter');
    await waitForStep(page, STEPS);
    // Stop evaluates the last step: wait until the accuracy shown is from after the last step
    const step = await stopTraining(page);
    const accuracy = await accuracyAt(page, step);
    console.log(`MNIST page on ${backend}: ${step} steps, test accuracy ${accuracy}`);
    expect(step).toBeGreaterThanOrEqual(STEPS);
    expect(accuracy).toBeGreaterThan(0.5); // chance is 0.1
    expect(await page.locator('#mistakes button').count()).toBeGreaterThan(0);
    // the charts have their curves
    expect(await page.locator('#loss-chart svg path').count()).toBeGreaterThan(0);
    expect(await page.locator('#accuracy-chart svg path').count()).toBeGreaterThanOrEqual(2);

    await drawSeven(page);
    const p = await probabilities(page);
    expect(p).toHaveLength(10);
    for (const v of p) expect(v).toBeGreaterThanOrEqual(0);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(await page.textContent('#verdict')).toMatch(/^The network reads a \d/);

    // a screenshot; the same trained page at a phone's width: one column, charts redrawn to fit, no
    // sideways scroll
    await desktopThenPhone(page, '#loss-chart');
    expect(errors).toEqual([]);
    await page.close();
  }, 200_000);

  // On the page's CPU backend (WebAssembly): SwiftShader takes a minute for each evaluation of LeNet on
  // 1,000 test images; webgpu.test.ts checks that LeNet on WebGPU computes what it does on the CPU.
  test('LeNet-5: the page trains it, and its mistakes and the drawing pad work', async () => {
    const { page, errors } = await open(1280, 900);
    await page.selectOption('#model', 'lenet');
    await page.selectOption('#backend', 'cpu');
    // the perceptron's fields are off, and the optimizer became Adam with its learning rate
    expect(await page.isDisabled('#depth')).toBe(true);
    expect(await page.inputValue('#optimizer')).toBe('adam');
    expect(await page.inputValue('#lr')).toBe('0.001');
    await page.click('#train');
    await waitForStep(page, 30);
    const step = await stopTraining(page);
    expect(await accuracyAt(page, step)).toBeGreaterThan(0.3);
    // a misclassified digit goes onto the pad, and LeNet reads it: ten probabilities summing to 1
    await page.locator('#mistakes button').first().click();
    const fromMistake = await probabilities(page);
    expect(fromMistake.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    await page.click('#clear');
    await drawSeven(page);
    const drawn = await probabilities(page);
    expect(drawn.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(await page.textContent('#verdict')).toMatch(/^The network reads a \d/);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  test('at phone width (375 px): one column, no sideways scrolling, operable by keyboard', async () => {
    const { page, errors } = await open(PHONE.width, PHONE.height);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
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
    expect(await unlabelledControls(page)).toEqual([]);
    // a test image from the keyboard: the pad shows it and the probabilities appear
    await page.focus('#sample');
    await page.keyboard.press('Enter');
    await probabilities(page);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
