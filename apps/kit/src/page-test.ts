// The frame of the apps' browser tests (vitest, Node side): one build served and one Chromium for a
// file's tests, a page opened once its worker is ready, its backend checked, and the checks every
// page makes at a phone's width.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  browserMissing,
  buildAndServe,
  collectErrors,
  launchChromium,
  REQUIRE_WEBGPU,
  saveScreenshot,
  type ServedPage,
} from './e2e.js';

/** A phone's viewport (an iPhone X's CSS pixels): the pages must fit its width. */
export const PHONE = { width: 375, height: 812 } as const;

export interface OpenedPage {
  page: Page;
  /** What went wrong in the page so far (see `collectErrors`): a test ends expecting it empty. */
  errors: string[];
  /** The backend the page says it runs on ('webgpu' or 'cpu'). */
  backend: string;
}

export interface PageTests {
  /**
   * Opens the page in a viewport of `width` × `height`, once its worker has loaded the data (Train
   * is enabled) and the page has said which backend runs: with NABLA_REQUIRE_WEBGPU=1 anything but
   * WebGPU fails, otherwise it is a warning.
   */
  open(width: number, height: number): Promise<OpenedPage>;
}

/**
 * `describe('the <name> page in Chromium')`, its tests given `open()`: the page at `root` (the
 * app's folder) is built and served, and Chromium launched, once for them all. Without a browser
 * the tests are skipped with a warning, or fail under NABLA_REQUIRE_WEBGPU=1.
 */
export function describePage(name: string, root: string, tests: (page: PageTests) => void): void {
  const missing = browserMissing();
  if (missing) console.warn(`skipping the ${name} page's browser tests: ${missing}`);

  describe.skipIf(missing !== undefined && !REQUIRE_WEBGPU)(`the ${name} page in Chromium`, () => {
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

    tests({
      async open(width, height) {
        const page = await browser.newPage({ viewport: { width, height } });
        const errors = collectErrors(page);
        await page.goto(served.url);
        await page.waitForSelector('#train:not([disabled])', { timeout: 60_000 });
        await page.waitForSelector('#backend-note[data-backend]');
        const backend = (await page.getAttribute('#backend-note', 'data-backend'))!;
        if (backend !== 'webgpu') {
          const note = await page.textContent('#backend-note');
          if (REQUIRE_WEBGPU)
            throw new Error(`NABLA_REQUIRE_WEBGPU=1 but the page runs on ${backend}: ${note}`);
          console.warn(`the ${name} page runs on ${backend}, not WebGPU: ${note}`);
        }
        return { page, errors, backend };
      },
    });
  });
}

/** The step the page shows in #step (written with thousands separators). */
export async function stepOf(page: Page): Promise<number> {
  return Number((await page.textContent('#step'))!.replace(/,/g, ''));
}

/** Waits until the page shows at least `steps` steps: a few minutes at most on SwiftShader. */
export async function waitForStep(page: Page, steps: number): Promise<void> {
  await page.waitForFunction(
    (n) => Number(document.getElementById('step')!.textContent!.replace(/,/g, '')) >= n,
    steps,
    { timeout: 150_000, polling: 250 },
  );
}

/** Clicks Stop and waits until the page may train again; returns the step it stopped at. */
export async function stopTraining(page: Page): Promise<number> {
  await page.click('#stop');
  await page.waitForSelector('#train:not([disabled])');
  return stepOf(page);
}

/** The document's full width: at most the viewport's when nothing makes the page scroll sideways. */
export function scrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** The ids of the page's inputs and selects that have no label (every control should have one). */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.$$eval('input, select', (els) =>
    els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.id),
  );
}

/**
 * Narrows an open page to a phone's width (`PHONE`) and waits until the chart in `chart` (a
 * selector of the element holding its SVG) has been redrawn narrower than 360 px.
 */
export async function narrowToPhone(page: Page, chart: string): Promise<void> {
  await page.setViewportSize(PHONE);
  // (the function runs in the page: it gets the selector as its argument)
  await page.waitForFunction(
    (sel) => document.querySelector(`${sel} svg`)!.clientWidth < 360,
    chart,
  );
}

/**
 * The end of a page's main test: its screenshot at the width it was opened at (web-desktop.png,
 * see `saveScreenshot`), then the same page narrowed to a phone's width, its charts redrawn (`chart`
 * waited on), nothing scrolling sideways, and its screenshot (web-phone.png).
 */
export async function desktopThenPhone(page: Page, chart: string): Promise<void> {
  await saveScreenshot(page, 'web-desktop.png');
  await narrowToPhone(page, chart);
  expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
  await saveScreenshot(page, 'web-phone.png');
}
