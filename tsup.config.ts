import { defineConfig } from 'tsup';
import pkg from './package.json' with { type: 'json' };

// Everything, libraries included, is bundled into dist/ so an install resolves no runtime dependencies.
// Commands are dynamic imports, so esbuild splits them into chunks and `--help` parses only cli.js.
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  splitting: true,
  treeshake: true,
  minify: true,
  sourcemap: false,
  noExternal: [/.*/],
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // The metafile names every bundled input; from it the build writes THIRD_PARTY_NOTICES (it is not shipped).
  metafile: true,
  onSuccess: 'node scripts/third-party-notices.mjs',
  // Bundled CommonJS dependencies (ws, jose…) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
