// The page's build: the config the apps share (apps/kit/src/vite.ts), with the corpora instead of MNIST.
import { pageConfig } from 'app-kit/vite';
import type { UserConfig } from 'vite';
import { corpusAssets } from './src/vite-corpus.js';

const config: UserConfig = { ...pageConfig, plugins: [corpusAssets()] };
export default config;
