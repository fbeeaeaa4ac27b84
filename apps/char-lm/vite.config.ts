// The page's build: the config the apps share (apps/kit/src/vite.ts), with the corpora instead of MNIST.
import { pageConfigWith } from 'app-kit/vite';
import { corpusAssets } from './src/vite-corpus.js';

export default pageConfigWith(corpusAssets());
