/**
 * The console's page and its built assets. `npm run build` bundles the UI (src/console/ui,
 * uPlot included) into dist/console/ui/app.js and app.css; running from the sources (tsx),
 * the bundle is built in memory with esbuild on first use.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';

export interface UiAssets {
  readonly js: string;
  readonly css: string;
}

/** The page: no inline script or style (the Content-Security-Policy allows none). */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Eventyard console</title>
<link rel="stylesheet" href="./assets/app.css">
<script defer src="./assets/app.js"></script>
</head>
<body><noscript>The Eventyard console needs JavaScript.</noscript><div id="app"></div></body>
</html>
`;

let cached: Promise<UiAssets> | undefined;

export function loadUiAssets(): Promise<UiAssets> {
  cached ??= readBuilt().catch(() => buildInMemory());
  return cached;
}

async function readBuilt(): Promise<UiAssets> {
  const [js, css] = await Promise.all([
    readFile(new URL('./ui/app.js', import.meta.url), 'utf8'),
    readFile(new URL('./ui/app.css', import.meta.url), 'utf8'),
  ]);
  return { js, css };
}

async function buildInMemory(): Promise<UiAssets> {
  const entry = fileURLToPath(new URL('./ui/main.ts', import.meta.url));
  // esbuild comes with tsx in development; a built package reads dist/console/ui instead.
  const esbuild: typeof Esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: '/ui',
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = (ext: string): string => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: out('.js'), css: out('.css') };
}
