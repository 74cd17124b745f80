// Trunk's post-build hook. Trunk starts every hook of a stage at once, so
// this one runs the steps in the order they depend on each other:
// 1. wasm.mjs — the app's WebAssembly, split, and its loader in index.html;
// 2. csp.mjs — the Content-Security-Policy, with the loader's hash;
// 3. sw.mjs — 404.html (a copy of the final index.html) and the service
//    worker listing every file.
await import('./wasm.mjs');
await import('./csp.mjs');
await import('./sw.mjs');
