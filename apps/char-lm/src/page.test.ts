// The web page, end to end: built with Vite, served as static files, driven in headless Chromium
// with WebGPU on SwiftShader. With NABLA_SCREENSHOTS=DIR (`pnpm screenshots` sets results/) it saves
// its screenshots there (desktop and phone width); otherwise it writes nothing.
import { fileURLToPath } from 'node:url';
import { describePage, desktopThenPhone, stopTraining, waitForStep } from 'app-kit/page-test';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Training steps before stopping: few, for SwiftShader. */
const STEPS = 20;
const SAMPLE_LENGTH = 40;

describePage('char-lm', root, ({ open }) => {
  test(`a tiny GPT trains ${STEPS} steps: the validation loss falls; a sample of the length asked for; an attention heatmap`, async () => {
    const { page, errors, backend } = await open(1280, 1000);
    await page.selectOption('#size', 'tiny');
    await page.fill('#lr', '0.01');
    await page.fill('#batchSize', '16');
    await page.fill('#steps', '200');
    await page.fill('#sampleLength', String(SAMPLE_LENGTH));
    await page.click('#train');
    await waitForStep(page, STEPS);
    const step = await stopTraining(page);
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

    // a screenshot; the same page at a phone's width: charts redrawn to fit, no sideways scroll
    await desktopThenPhone(page, '#loss-chart');
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
