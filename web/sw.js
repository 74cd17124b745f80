// Qianbao's service worker: the whole site, offline after the first visit.
//
// `scripts/sw.mjs` (a Trunk post-build hook) writes this file into `dist/`
// with VERSION (a hash of every file it lists) and FILES (every file of the
// build but this one, with its digest) filled in. It is deliberately small:
// - install: every file of this version, each checked against its digest
//   (a file damaged on the way, or a host's fallback page in its place,
//   fails the install, which the next visit tries again), into the cache
//   `qianbao-<VERSION>`; the new version then waits — a page in use is
//   never swapped mid-way — until the page asks for it (「新版本可用，刷新」)
//   or no page uses the old;
// - activate: the version that was active before this one is kept —
//   another tab may still run it and fetch its parts later — and every
//   other one is deleted;
// - fetch: a page load anywhere under the scope gets the cached shell
//   (`index.html`: the app routes itself), a file of this build or of the
//   one kept comes from the cache, anything else goes to the network.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = `qianbao-${VERSION}`;
const scope = new URL(self.registration.scope);
const url = (file) => new URL(file, scope).href;
const SHELL = url('index.html');
const CACHED = new Set(Object.keys(FILES).map(url));

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const responses = await Promise.all(Object.entries(FILES).map(async ([file, integrity]) => {
      const response = await fetch(url(file), { integrity, cache: 'no-cache' });
      if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
      // A host that redirects (`/index.html` → `/`): kept as a plain
      // answer, which a page load may be given (a redirected one may not).
      const plain = response.redirected
        ? new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers: response.headers })
        : response;
      return [url(file), plain];
    }));
    const cache = await caches.open(CACHE);
    await Promise.all(responses.map(([address, response]) => cache.put(address, response)));
  })());
});

// Which version was active last: `qianbao-meta` holds its cache's name.
const META = 'qianbao-meta';
const ACTIVE = url('.active-version');

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    // The version this one takes over from stays (its tabs may still need
    // its files); versions never active, or older, go.
    const meta = await caches.open(META);
    const previous = await (await meta.match(ACTIVE))?.text();
    for (const name of await caches.keys()) {
      if (name.startsWith('qianbao-') && ![CACHE, META, previous].includes(name)) await caches.delete(name);
    }
    await meta.put(ACTIVE, new Response(CACHE));
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
  if (request.mode === 'navigate') {
    event.respondWith(caches.match(SHELL, { cacheName: CACHE }).then((cached) => cached ?? fetch(request)));
    return;
  }
  const wanted = request.url.split('#')[0];
  event.respondWith((async () => {
    // This build's files from its cache; a file of the version kept (a tab
    // still running it) from that one's.
    const cached = CACHED.has(wanted)
      ? await caches.match(wanted, { cacheName: CACHE })
      : await caches.match(wanted);
    return cached ?? fetch(request);
  })());
});
