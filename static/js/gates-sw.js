// The service worker of 门岗登记, served at /gates/sw.js (scope /gates/) by gates.views.gate_sw.
//
// The device page and its people list: network first (a fresh page when the network works,
// within a few seconds), the last good copy otherwise. Static files: cache first. The page
// tells the worker what to keep (its own URL, the people list, its scripts and styles) once
// the worker is active. Writes (the sync POST) never pass through here: IndexedDB holds them.
"use strict";
var CACHE = "gates-v1";
var PAGE = /^\/gates\/\d+\/(register\/|people\.json)$/;
var NETWORK_WAIT_MS = 4000;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function keep(cache, url, response) {
  if (response && response.ok && !response.redirected) return cache.put(url, response);
  return undefined;
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "cache" || !Array.isArray(data.urls)) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(data.urls.map(function (url) {
      if (new URL(url).origin !== self.location.origin) return undefined;
      return fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return keep(cache, url, r); })
        .catch(function () { return undefined; });
    }));
  }));
});

function offline() {
  return new Response("离线，且本机没有该页面的副本：联网后打开一次即可离线使用。", {
    status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" }
  });
}

function networkFirst(request) {
  var network = fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request.url, copy); });
    }
    return response;
  });
  var timer = new Promise(function (_, reject) { setTimeout(reject, NETWORK_WAIT_MS); });
  return Promise.race([network, timer]).catch(function () {
    return caches.match(request.url, { ignoreSearch: true }).then(function (hit) {
      return hit || network.catch(offline);
    });
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PAGE.test(url.pathname)) event.respondWith(networkFirst(request));
  else if (url.pathname.indexOf("/static/") === 0) event.respondWith(cacheFirst(request));
});
