// Qianbao's service worker: the whole site, offline after the first visit.
//
// `scripts/sw.mjs` (a Trunk post-build hook) writes this file into `dist/`
// with VERSION (a hash of every file it lists) and FILES (every file of the
// build but this one) filled in. It is deliberately small:
// - install: every file of this version into the cache `qianbao-<VERSION>`;
//   the new version then waits — a page in use is never swapped mid-way —
//   until the page asks for it (「新版本可用，刷新」) or no page uses the old;
// - activate: older versions' caches are deleted;
// - fetch: a page load anywhere under the scope gets the cached shell
//   (`index.html`: the app routes itself), a file of the build comes from
//   the cache, anything else goes to the network.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = `qianbao-${VERSION}`;
const scope = new URL(self.registration.scope);
const url = (file) => new URL(file, scope).href;
const SHELL = url('index.html');
const CACHED = new Set(FILES.map(url));

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...CACHED])));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('qianbao-') && name !== CACHE) await caches.delete(name);
    }
    // The first visit's page is served by this worker from now on.
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(scope.href)) return;
  const wanted = request.mode === 'navigate' ? SHELL : request.url.split('#')[0];
  if (request.mode !== 'navigate' && !CACHED.has(wanted)) return;
  event.respondWith((async () => {
    const cached = await caches.match(wanted, { cacheName: CACHE });
    return cached ?? fetch(request);
  })());
});
