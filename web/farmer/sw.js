// The farmer's app without a network: the app itself answered from the
// phone at once (and refreshed behind), the data last seen when the API
// cannot be reached, photos and labels from the phone once seen. Writes are
// not touched: the page's outbox keeps and sends them.
const VERSION = 'farmer-v1'; // a new name installs every file afresh
const DATA = 'farmer-data', MEDIA = 'farmer-media'; // the page deletes both at log-out
const SHELL = ['/farmer', '/farmer/manifest.webmanifest', '/farmer/icon-192.png',
  ...'main outbox photo drafts today lots listings orders money common'.split(' ').map(m => `/farmer/${m}.js`),
  ...'api dom format statuses vi'.split(' ').map(m => `/shared/${m}.js`)];
const MEDIA_KEEP = 200; // photos and labels, the oldest dropped first

addEventListener('install', e => {
  skipWaiting();
  // one by one: a module renamed or gone must not stop the install
  e.waitUntil(caches.open(VERSION).then(c => Promise.all(SHELL.map(u => c.add(u).catch(() => {})))));
});

addEventListener('activate', e => e.waitUntil(caches.keys()
  .then(keys => Promise.all(keys.filter(k => /^farmer-v/.test(k) && k !== VERSION).map(k => caches.delete(k))))
  .then(() => clients.claim())));

addEventListener('fetch', e => {
  const r = e.request;
  const url = new URL(r.url);
  const p = url.pathname;
  if (r.method !== 'GET' || url.origin !== location.origin || p.startsWith('/api/v1/auth/')) return;
  if (p.startsWith('/media/') || /^\/api\/v1\/lots\/[^/]+\/label\.png$/.test(p)) e.respondWith(cacheFirst(e));
  else if (p.startsWith('/api/')) e.respondWith(networkFirst(e));
  else if (r.mode === 'navigate' ? /^\/farmer\/?$/.test(p) : SHELL.includes(p)) {
    e.respondWith(staleWhileRevalidate(e, r.mode === 'navigate' ? '/farmer' : r));
  }
});

// Answer from the phone, fetch behind to have the new version next time
// (the server's ETag makes that a 304 when nothing changed).
async function staleWhileRevalidate(e, key) {
  const fresh = fetch(e.request).then(async res => {
    if (res.status === 200) await (await caches.open(VERSION)).put(key, res.clone());
    return res;
  });
  e.waitUntil(fresh.catch(() => {}));
  return await caches.match(key) || fresh;
}

// The network within 6 s (and not failing), else the answer last seen,
// marked as such.
async function networkFirst(e) {
  const r = e.request;
  const fresh = fetch(r).then(res => {
    if (res.status === 200) {
      const copy = res.clone();
      e.waitUntil(caches.open(DATA).then(c => c.put(r, copy)));
    }
    return res;
  });
  e.waitUntil(fresh.catch(() => {}));
  try {
    return await Promise.race([fresh.then(res => res.status < 500 ? res : Promise.reject()),
      new Promise((_, late) => setTimeout(late, 6000))]);
  } catch (x) {
    const hit = await (await caches.open(DATA)).match(r, {ignoreVary: true});
    if (!hit) return fresh; // nothing seen yet: the network's answer after all
    const headers = new Headers(hit.headers);
    headers.set('X-From-Cache', '1');
    // the page's API client returns only the JSON: tell the page itself too
    clients.get(e.clientId).then(c => c && c.postMessage({fromCache: r.url, date: hit.headers.get('Date')}));
    return new Response(hit.body, {status: hit.status, statusText: hit.statusText, headers});
  }
}

async function cacheFirst(e) {
  const r = e.request;
  const cache = await caches.open(MEDIA);
  const hit = await cache.match(r);
  if (hit) return hit;
  const res = await fetch(r);
  if (res.status === 200) {
    const copy = res.clone();
    e.waitUntil(cache.put(r, copy).then(() => cache.keys())
      .then(keys => Promise.all(keys.slice(0, -MEDIA_KEEP).map(k => cache.delete(k)))));
  }
  return res;
}
