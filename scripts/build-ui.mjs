#!/usr/bin/env node
// Bundles the console's UI (src/console/ui, uPlot included) into dist/console/ui/app.js and
// app.css, the files the console serves from a built package. Same settings as the in-memory
// build src/console/ui-assets.ts makes when running from the sources.
import { build } from 'esbuild';

await build({
  entryPoints: { app: 'src/console/ui/main.ts' },
  bundle: true,
  outdir: 'dist/console/ui',
  format: 'iife',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
