import { existsSync, readFileSync } from 'node:fs';
import { defineConfig, type DefaultTheme } from 'vitepress';
import { sampleContextPlugin } from './sample-context.ts';

// Written by TypeDoc (typedoc.config.js) before the site is built.
const apiSidebarFile = new URL('../api/typedoc-sidebar.json', import.meta.url);
const apiSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile)
  ? JSON.parse(readFileSync(apiSidebarFile, 'utf8'))
  : [];

const guide: DefaultTheme.SidebarItem[] = [
  {
    text: 'Getting started',
    items: [
      { text: 'Install', link: '/guide/install' },
      { text: 'A first tensor', link: '/guide/first-tensor' },
      { text: 'A first network', link: '/guide/first-network' },
      { text: 'Convolutional networks', link: '/guide/cnn' },
      { text: 'CPU or WebGPU', link: '/guide/backends' },
      { text: 'From PyTorch', link: '/guide/from-pytorch' },
      { text: 'From MNIST to a prediction', link: '/guide/tutorial' },
      { text: 'Performance', link: '/guide/performance' },
      { text: 'Troubleshooting and FAQ', link: '/guide/troubleshooting' },
      { text: 'Changelog', link: '/guide/changelog' },
      { text: 'Sequence models', link: '/guide/sequence-models' },
    ],
  },
  {
    text: 'Concepts',
    items: [
      { text: 'Tensors, views, broadcasting', link: '/concepts/tensors' },
      { text: 'Backends', link: '/concepts/backends' },
      { text: 'Autograd', link: '/concepts/autograd' },
      { text: 'Modules', link: '/concepts/modules' },
      { text: 'Optimizers', link: '/concepts/optimizers' },
      { text: 'Regularization', link: '/concepts/regularization' },
      { text: 'Memory and async reads', link: '/concepts/memory' },
      { text: 'Errors', link: '/concepts/errors' },
    ],
  },
  {
    text: 'The lecture',
    items: [
      { text: 'Overview', link: '/lecture/' },
      { text: 'Back-propagation by hand', link: '/lecture/backprop' },
      { text: 'The PyTorch example', link: '/lecture/pytorch' },
      { text: 'The Theano example', link: '/lecture/theano' },
      { text: 'The regression exercise', link: '/lecture/regression' },
      { text: 'L2 and dropout', link: '/lecture/regularization' },
      { text: 'The MNIST depth table', link: '/lecture/mnist-depth' },
      { text: 'The vanishing gradient', link: '/lecture/vanishing-gradient' },
    ],
  },
];

export default defineConfig({
  title: 'Nabla',
  description: 'A deep-learning library in TypeScript: tensors, autograd, modules, optimizers.',
  cleanUrls: true,
  // Written by scripts/prepare.ts to be included into pages, not pages themselves.
  srcExclude: ['generated/**'],
  // The local search index of the API reference is one chunk of about 1.2 MB, loaded on first search.
  vite: { build: { chunkSizeWarningLimit: 2000 } },
  // A dead link fails the build (VitePress's default, stated here so that nobody turns it off).
  ignoreDeadLinks: false,
  markdown: {
    math: true,
    // under each snippet of a sample without imports: its imports and setup, folded
    config: (md) => sampleContextPlugin(md, (path) => readFileSync(path, 'utf8')),
  },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/install' },
      { text: 'Concepts', link: '/concepts/tensors' },
      { text: 'The lecture', link: '/lecture/' },
      { text: 'API', link: '/api/' },
      { text: 'Changelog', link: '/guide/changelog' },
    ],
    sidebar: {
      '/guide/': guide,
      '/concepts/': guide,
      '/lecture/': guide,
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar }],
    },
    search: { provider: 'local' },
    outline: [2, 3],
  },
});
