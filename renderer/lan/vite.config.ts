// The LAN landing page's build: its own page and bundle, into renderer/dist/lan, which is all the
// LAN web service serves of renderer/ (the window's build is renderer/dist itself).
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/lan',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
  },
});
