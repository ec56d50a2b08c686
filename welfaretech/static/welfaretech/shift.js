/* Offline logging queue for the shift pages (progressive enhancement: without JavaScript the buttons are
   plain forms). A logging form is turned into an event with a client-generated UUID and the device's
   time, stored in IndexedDB and sent in order to the events API whenever the network allows. Events the
   server answers "created" or "duplicate" leave the queue; events it refuses are kept aside and shown. */
(function () {
  "use strict";

  const DB_NAME = "shift-logging";
  const QUEUE = "queue";
  const REJECTED = "rejected";
  const BATCH = 50;
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content;
  const api = meta("events-api");
  if (!api || !window.indexedDB || !window.crypto?.randomUUID) {
    return;
  }

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(QUEUE, { keyPath: "seq", autoIncrement: true });
        request.result.createObjectStore(REJECTED, { keyPath: "client_uuid" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function run(store, mode, action) {
    return openDb().then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const result = action(tx.objectStore(store));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    }));
  }

  const all = (store) => run(store, "readonly", (s) => s.getAll());

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.split("=")[1]) : meta("csrf-token");
  }

  function toIso(value) {
    return value ? new Date(value).toISOString() : null;
  }

  function eventFromForm(form) {
    const data = new FormData(form);
    const item = {
      client_uuid: crypto.randomUUID(),
      occurred_at: new Date().toISOString(),
    };
    for (const [name, value] of data.entries()) {
      // The form's own client_uuid serves the no-JavaScript path; each queued event gets a new one.
      if (name === "csrfmiddlewaretoken" || name === "client_uuid" || value === "") {
        continue;
      }
      if (name === "occurred_at" || name === "arrived_at") {
        item[name] = toIso(value);
      } else if (value === "true") {
        item[name] = true;
      } else {
        item[name] = value;
      }
    }
    item.recipient = Number(item.recipient);
    return item;
  }

  async function render() {
    const box = document.querySelector("[data-queue-status]");
    if (!box) {
      return;
    }
    const texts = box.querySelector("[data-queue-text]").dataset;
    const [queued, rejected] = await Promise.all([all(QUEUE), all(REJECTED)]);
    const count = box.querySelector("[data-queue-count]");
    count.textContent = queued.length === 1 ? texts.one
      : queued.length ? texts.many.replace("%(count)s", queued.length) : texts.none;
    box.dataset.pending = String(queued.length);
    const list = box.querySelector("[data-queue-errors]");
    list.replaceChildren(...rejected.map((entry) => {
      const li = document.createElement("li");
      const messages = Object.values(entry.errors || {}).flat().join(" ");
      li.textContent = `${texts.error}: ${entry.item.kind} ${new Date(entry.item.occurred_at).toLocaleString()} – ${messages}`;
      return li;
    }));
    box.hidden = queued.length === 0 && rejected.length === 0 && !box.dataset.used;
  }

  let flushing = null;

  async function sendQueue() {
    for (;;) {
      const queued = (await all(QUEUE)).slice(0, BATCH);
      if (!queued.length) {
        return;
      }
      const response = await fetch(api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: JSON.stringify(queued.map((entry) => entry.item)),
      });
      if (response.status !== 200 && response.status !== 201) {
        return; // Signed out, server trouble: keep everything and try again later.
      }
      const body = await response.json();
      const byUuid = new Map(body.results.map((result) => [result.client_uuid, result]));
      await run(QUEUE, "readwrite", (store) => {
        for (const entry of queued) {
          const result = byUuid.get(entry.item.client_uuid);
          if (result) {
            store.delete(entry.seq);
          }
        }
      });
      const refused = queued.filter((entry) => byUuid.get(entry.item.client_uuid)?.status === "error");
      if (refused.length) {
        await run(REJECTED, "readwrite", (store) => {
          for (const entry of refused) {
            store.put({ client_uuid: entry.item.client_uuid, item: entry.item, errors: byUuid.get(entry.item.client_uuid).errors });
          }
        });
      }
      await render();
    }
  }

  function flush() {
    if (!flushing) {
      flushing = sendQueue().catch(() => undefined).finally(() => {
        flushing = null;
        render();
      });
    }
    return flushing;
  }

  async function enqueue(form) {
    const item = eventFromForm(form);
    await run(QUEUE, "readwrite", (store) => store.add({ item }));
    const box = document.querySelector("[data-queue-status]");
    if (box) {
      box.dataset.used = "1";
    }
    form.reset();
    await render();
    if (navigator.onLine) {
      flush();
    }
  }

  // The shift list links to each recipient's logging page: ask the service worker to keep those pages, so
  // that any recipient on the list can be logged after the network is gone (not on a data-saving link).
  function keepPagesForOffline(registration) {
    const links = document.querySelectorAll("[data-offline-pages] a[href]");
    if (!links.length || !registration.active || !navigator.onLine || navigator.connection?.saveData) {
      return;
    }
    registration.active.postMessage({ type: "precache", urls: Array.from(links, (link) => link.href) });
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-queue")) {
      event.preventDefault();
      enqueue(form);
    }
  });
  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", () => {
    render().then(flush);
    const worker = meta("service-worker");
    if (worker && "serviceWorker" in navigator) {
      navigator.serviceWorker.register(worker, { scope: worker.replace(/sw\.js$/, "") })
        .then(() => navigator.serviceWorker.ready)
        .then(keepPagesForOffline)
        .catch(() => undefined);
    }
  });
}());
