// The page's build: the config both apps share (apps/kit/src/vite.ts).
export { pageConfig as default } from 'app-kit/vite';
