// Stylesheets imported for their side effect: esbuild bundles them (scripts/build-ui.mjs).
declare module '*.css';
