// Bundles the three programs separately: the VS Code extension, the `mreg` CLI (plus the same
// registry as a Node library) and the webview. sql.js loads its WebAssembly at run time, so the
// .wasm file is shipped beside the bundles.
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readFile } from 'node:fs/promises';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const { version } = JSON.parse(await readFile('package.json', 'utf8'));

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // Only reached when running from sources; bundles find the .wasm beside themselves.
  external: ['sql.js/dist/sql-wasm.wasm'],
  define: { MODEL_REGISTRY_VERSION: JSON.stringify(version) },
};

// commander requires child_process (and with it net, dgram and streams: ~4 ms of every `mreg` start)
// for executable subcommands, which mreg has none of. It gets a stand-in that loads the module on
// first use.
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, ({ importer }) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
      loader: 'js',
    }));
  },
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: [...node.external, 'vscode'] },
  // The CLI and the library are installed with their dependencies, so the AWS SDK (1.6 MB, needed
  // only for s3:// stores) is loaded from node_modules when used instead of parsed on every run.
  // `mreg` is a small launcher that runs the CLI bundle through V8's code cache (src/cli/launcher.ts).
  { ...node, entryPoints: { cli: 'src/cli/launcher.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { 'cli-main': 'src/cli/main.ts' }, outdir: 'dist', external: [...node.external, '@aws-sdk/client-s3'], plugins: [lazyChildProcessForCommander] },
  { ...node, entryPoints: { lib: 'src/index.ts' }, outdir: 'dist', external: [...node.external, '@aws-sdk/client-s3'] },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    // Its own folder: the webview may load resources from there and nowhere else.
    entryPoints: { main: 'webview/main.ts' },
    outdir: 'dist/webview',
  },
];

await mkdir('dist', { recursive: true });
await copyFile('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('watching for changes…');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
