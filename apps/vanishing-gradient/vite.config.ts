import { mnistAssets, quietNodeBuiltins } from 'app-kit/vite';
import { defaultClientConditions, defineConfig } from 'vite';

// The page (index.html, src/web/) builds to dist/: static files, MNIST included (mnist/*.gz).
// Load this config with `--configLoader runner` (the scripts do): app-kit is TypeScript source.
export default defineConfig({
  // relative URLs: the built page works from any folder of any static host
  base: './',
  // workspace packages from their TypeScript source, as in the tests: no library build needed first
  resolve: { conditions: ['@nablajs/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  plugins: [mnistAssets()],
  build: {
    target: 'es2022',
    reportCompressedSize: false,
    rolldownOptions: { onwarn: quietNodeBuiltins },
  },
});
