// Browser tests of the web pages (Node side): build a page with Vite, serve the static output with
// `vite preview`, and drive Debian's Chromium through playwright-core, with WebGPU on SwiftShader.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, preview } from 'vite';

/** The browser (Debian's `chromium` package); `NABLA_CHROMIUM` names another. */
export const CHROMIUM = process.env.NABLA_CHROMIUM ?? '/usr/bin/chromium';

/** Set by CI: a missing browser or a missing WebGPU adapter fails the tests instead of skipping. */
export const REQUIRE_WEBGPU = process.env.NABLA_REQUIRE_WEBGPU === '1';

/**
 * Headless Chromium with WebGPU on SwiftShader, its CPU Vulkan driver: `navigator.gpu` gives an
 * adapter on a machine without a GPU (and in workers too). The page must be a secure context
 * (localhost is).
 */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--use-webgpu-adapter=swiftshader',
];

/**
 * Saves a full-page screenshot of `page` as `name` in the folder named by `NABLA_SCREENSHOTS` (the
 * apps' `pnpm screenshots` script sets it to their committed `results/`); without it, takes none.
 * Tests never write over committed files on their own: a test run leaves the tree as it was.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.NABLA_SCREENSHOTS;
  if (dir) await page.screenshot({ path: resolve(dir, name), fullPage: true });
}

/** Why the browser tests cannot run on this machine, or undefined when they can. */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `no browser at ${CHROMIUM} (apt-get install chromium, or set NABLA_CHROMIUM)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface ServedPage {
  /** The page's URL on 127.0.0.1. */
  url: string;
  /** The folder the page was built into (static files only). */
  outDir: string;
  close(): Promise<void>;
}

/**
 * Builds the Vite app at `root` into a temporary folder and serves that folder with `vite preview`
 * on a free port: what the tests load is exactly the static output a user would deploy.
 */
export async function buildAndServe(root: string): Promise<ServedPage> {
  const outDir = await mkdtemp(join(tmpdir(), 'nabla-page-'));
  // the runner loads a config that imports TypeScript (app-kit/vite), as the scripts' flag does
  const config = {
    root,
    configFile: join(root, 'vite.config.ts'),
    configLoader: 'runner' as const,
  };
  await build({ ...config, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    ...config,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its URL');
  return {
    url,
    outDir,
    close: async () => {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

/**
 * Collects what goes wrong in `page` (uncaught exceptions, in workers too, and console errors), so
 * a test can assert that nothing did.
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('worker', (worker) =>
    worker.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`worker console.error: ${msg.text()}`);
    }),
  );
  return errors;
}
