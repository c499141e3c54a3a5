import { defineConfig } from 'vite';

// Served by `wharf server` under /console (src/server/console.ts). No React plugin: esbuild compiles
// TSX on its own (automatic runtime), and the console needs no fast refresh in production.
export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    rollupOptions: {
      // Cloudscape marks its modules "use client" (for React Server Components); a client bundle has no
      // use for the directive, and Rollup says so once per module.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npm run dev`: the API calls go to the same origin; point Vite at a running server.
    proxy: { '^/$': { target: process.env.WHARF_ENDPOINT ?? 'http://127.0.0.1:7755' } },
  },
});
