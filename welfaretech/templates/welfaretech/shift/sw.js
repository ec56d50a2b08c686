/* Service worker for shift logging: keeps the logging page and its assets available without network.
   Pages: network first, falling back to the cached copy. Assets: cache first. API calls and form posts
   are never touched; the offline queue lives in IndexedDB (shift.js). The shift list asks (by message)
   for the logging pages of the recipients it shows to be kept too, so that a recipient can be logged
   offline without having been opened online first. */
const CACHE = "{{ version }}";
const SHELL = "{{ shell|escapejs }}";
const ASSETS = [{% for asset in assets %}"{{ asset|escapejs }}", {% endfor %}SHELL];
const PRECACHE_HEADER = "{{ precache_header|escapejs }}";
const PRECACHE_MAX = 50;
const fetching = new Set(); // pages being fetched for keeping, across messages

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        })
        .catch(() => caches.match(request, { ignoreVary: true }).then((cached) => cached || caches.match(SHELL))),
    );
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
  }
});

// Keep the pages the shift list links to, one at a time and only those not kept yet (the network-first
// navigation above refreshes a kept page whenever it is opened online).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "precache" || !Array.isArray(data.urls)) {
    return;
  }
  const scope = self.registration.scope;
  const urls = data.urls
    .map((value) => {
      try {
        return new URL(value, scope).href;
      } catch (error) {
        return null;
      }
    })
    .filter((url) => url && url.startsWith(scope))
    .slice(0, PRECACHE_MAX);
  event.waitUntil(
    caches.open(CACHE).then(async (cache) => {
      for (const url of urls) {
        // Another list page may have asked for the same page a moment ago: fetch it once (marked before
        // the first await, so that a second message cannot slip in between).
        if (fetching.has(url)) {
          continue;
        }
        fetching.add(url);
        try {
          if (await cache.match(url, { ignoreVary: true })) {
            continue;
          }
          const response = await fetch(url, { credentials: "same-origin", headers: { [PRECACHE_HEADER]: "1" } });
          if (response.ok && !response.redirected) {
            await cache.put(url, response);
          }
        } finally {
          fetching.delete(url);
        }
      }
    }).catch(() => undefined),
  );
});
