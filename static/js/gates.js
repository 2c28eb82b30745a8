// 门岗登记: offline-first entry and exit registration on a phone.
//
// Every entry is written to IndexedDB (through idb) with an id made here, before anything
// is sent; a sync loop then sends waiting entries in batches of 100 (fevers first) to
// /api/gates/sync, which stores each id once. Acknowledged entries are marked sent, refused
// ones are set aside with the server's reason; neither holds up the rest. Nothing is deleted
// from the device by itself. The service worker (gates-sw.js) keeps the page, its scripts and
// the people list available with no network.
(function () {
  "use strict";
  var app = document.getElementById("gate-app");
  if (!app || typeof idb === "undefined") return;
  var cfg = app.dataset;
  var gateId = Number(cfg.gate);
  var threshold = Number(cfg.threshold);
  var lowest = Number(cfg.lowest);
  var highest = Number(cfg.highest);
  var BATCH = 100;
  var HEARTBEAT_MS = 30000;

  var $ = function (id) { return document.getElementById(id); };
  var form = $("entry-form");
  var who = $("who");
  var temp = $("temp");
  var visitorMode = $("visitor-mode");

  var dbp = idb.openDB("gates", 1, {
    upgrade: function (db) {
      var entries = db.createObjectStore("entries", { keyPath: "uid" });
      entries.createIndex("gate_state", ["gate", "state"]);
      entries.createIndex("gate_created", ["gate", "created"]);
      db.createObjectStore("kv");
    }
  });

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function kvGet(key) { return dbp.then(function (db) { return db.get("kv", key); }); }
  function kvSet(key, value) { return dbp.then(function (db) { return db.put("kv", value, key); }); }

  var deviceId = kvGet("device").then(function (id) {
    if (id) return id;
    id = uuid4();
    return kvSet("device", id).then(function () { return id; });
  });

  // --- the people list: instant lookup by 学工号, name or pass code ----------------------
  var people = [];
  var byNumber = {};
  var byCode = {};

  function usePeople(list) {
    people = list || [];
    byNumber = {};
    byCode = {};
    people.forEach(function (p) {
      byNumber[p.n] = p;
      if (p.c) byCode[p.c] = p;
    });
    $("people-count").textContent = people.length;
  }

  function loadPeople() {
    var key = "people:" + gateId;
    kvGet(key).then(function (saved) { if (saved && !people.length) usePeople(saved.people); });
    return fetch(cfg.peopleUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok || r.redirected) throw new Error(); return r.json(); })
      .then(function (data) { usePeople(data.people); return kvSet(key, { people: data.people, at: data.at }); })
      .catch(function () { /* offline: the saved list stays in use */ });
  }

  var chosen = null; // the person picked for the entry being typed
  var scanned = ""; // a scanned code no one on the list matched (the server resolves it)

  function candidates(text) {
    text = text.trim();
    if (!text) return [];
    if (byNumber[text]) return [byNumber[text]];
    var out = [];
    for (var i = 0; i < people.length && out.length < 8; i++) {
      var p = people[i];
      if (p.n.indexOf(text) === 0 || p.m.indexOf(text) !== -1) out.push(p);
    }
    return out;
  }

  function showMatch() {
    var box = $("who-match");
    box.textContent = "";
    if (scanned) { box.textContent = "通行码（名单中未找到，将由服务器核对）"; return; }
    if (chosen) { box.textContent = "✓ " + chosen.m + "（" + chosen.n + "）"; return; }
    var found = candidates(who.value);
    if (!who.value.trim()) return;
    if (!found.length) { box.textContent = "名单中没有匹配的人员"; return; }
    found.forEach(function (p) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm btn-outline-dark me-1 mb-1 who-pick";
      b.textContent = p.m + " " + p.n;
      b.addEventListener("click", function () { pick(p); temp.focus(); });
      box.appendChild(b);
    });
  }

  function pick(p) { chosen = p; scanned = ""; who.value = p.n; showMatch(); }

  who.addEventListener("input", function () { chosen = null; scanned = ""; showMatch(); });
  who.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || visitorMode.checked) return;
    var found = candidates(who.value);
    if (!chosen && found.length === 1) pick(found[0]);
    if (chosen || scanned) { e.preventDefault(); temp.focus(); }
  });

  visitorMode.addEventListener("change", function () {
    $("visitor-fields").classList.toggle("d-none", !visitorMode.checked);
    $("person-fields").classList.toggle("d-none", visitorMode.checked);
    (visitorMode.checked ? $("v-name") : who).focus();
  });

  // --- scanning a pass code -------------------------------------------------------------
  function sha(text) {
    if (!(window.crypto && crypto.subtle)) return Promise.resolve("");
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (x) {
        return (x + 0x100).toString(16).slice(1);
      }).join("").slice(0, 20);
    });
  }

  function onCode(text) {
    text = String(text || "").trim();
    if (text.indexOf(cfg.prefix) !== 0) { error("这不是本校的通行码。"); return Promise.resolve(); }
    return sha(text.slice(cfg.prefix.length)).then(function (hash) {
      var p = hash && byCode[hash];
      if (p) pick(p);
      else { chosen = null; scanned = text; who.value = "（通行码）"; showMatch(); }
      temp.focus();
    });
  }
  app.gateCode = onCode; // for a hardware scanner that types into the page, and for tests

  var scanner = null;
  $("scan").addEventListener("click", function () {
    var video = $("scan-video");
    if (typeof QrScanner === "undefined") { error("扫码组件未加载。"); return; }
    if (scanner) { scanner.stop(); scanner = null; video.classList.add("d-none"); return; }
    video.classList.remove("d-none");
    scanner = new QrScanner(video, function (result) {
      scanner.stop(); scanner = null; video.classList.add("d-none");
      onCode(result.data);
    }, { returnDetailedScanResult: true, preferredCamera: "environment" });
    scanner.start().catch(function () {
      error("无法打开摄像头：请允许浏览器使用摄像头，或手动输入学工号。");
      scanner = null; video.classList.add("d-none");
    });
  });

  // --- saving an entry: on the device first -------------------------------------------------
  function error(text) { $("form-error").textContent = text || ""; }

  function readTemperature(direction) {
    var raw = temp.value.trim().replace("，", ".").replace("。", ".");
    if (!raw) return direction === "in" ? { error: "进校须测量体温。" } : { value: null };
    var t = Number(raw);
    if (!isFinite(t) || t < lowest || t > highest) return { error: "体温应在 " + lowest + "–" + highest + " ℃ 之间，请复测。" };
    return { value: Math.round(t * 10) / 10 };
  }

  // Enter saves from any field (the 学工号 field first moves on to the temperature).
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.defaultPrevented || e.target.tagName !== "INPUT") return;
    e.preventDefault();
    save();
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    save();
  });

  function save() {
    var direction = form.querySelector("input[name=direction]:checked").value;
    var entry = {
      uid: uuid4(), gate: gateId, at: new Date().toISOString(), direction: direction,
      member: "", pass_code: "", name: "", temperature: null,
      visitor_name: "", visitor_phone: "", visitor_reason: "", visitor_host: "",
      state: "waiting", reason: "", created: Date.now()
    };
    if (visitorMode.checked) {
      entry.visitor_name = $("v-name").value.trim();
      entry.visitor_phone = $("v-phone").value.trim();
      entry.visitor_reason = $("v-reason").value.trim();
      entry.visitor_host = $("v-host").value.trim();
      if (!entry.visitor_name || !entry.visitor_reason) { error("请填写访客姓名和来访事由。"); return; }
      entry.name = entry.visitor_name + "（访客）";
    } else {
      var found = candidates(who.value);
      var person = chosen || (found.length === 1 ? found[0] : null);
      if (person) { entry.member = person.n; entry.name = person.m; }
      else if (scanned) { entry.pass_code = scanned; entry.name = "（通行码）"; }
      else if (found.length > 1) { error("有多人匹配，请点选其中一人。"); return; }
      else if (who.value.trim() && /^[0-9A-Za-z]+$/.test(who.value.trim())) {
        // not on the device's list (yet): the server checks the number
        entry.member = who.value.trim(); entry.name = entry.member;
      } else { error("请输入学工号或姓名，或扫描通行码。"); who.focus(); return; }
    }
    var t = readTemperature(direction);
    if (t.error) { error(t.error); temp.focus(); return; }
    entry.temperature = t.value;
    entry.fever = t.value !== null && t.value >= threshold;
    // Clear at once: a second Enter finds an empty form, never a second copy.
    error("");
    form.reset();
    $("dir-" + direction).checked = true;
    visitorMode.checked = !!entry.visitor_name;
    chosen = null; scanned = ""; showMatch();
    (visitorMode.checked ? $("v-name") : who).focus();
    dbp.then(function (db) { return db.put("entries", entry); }).then(function () {
      if (entry.fever) showFever(entry);
      render();
      sync();
    }).catch(function () { error("本机存储失败：请勿关闭页面，并立即导出待同步登记。"); });
  }

  function showFever(entry) {
    var box = $("fever-alert");
    box.textContent = "发热：" + entry.name + " " + entry.temperature + " ℃（≥ " + threshold + " ℃）。请按预案处置，已优先上报。";
    box.classList.remove("d-none");
  }

  // --- what the officer sees ----------------------------------------------------------------
  var STATE = { waiting: "待同步", sent: "已同步", refused: "未接收", discarded: "已放弃" };

  function byState(state) {
    return dbp.then(function (db) { return db.getAllFromIndex("entries", "gate_state", IDBKeyRange.only([gateId, state])); });
  }

  function latest(db, n) {
    // the newest n entries of this gate, newest first, without reading the rest
    var out = [];
    var range = IDBKeyRange.bound([gateId, 0], [gateId, Infinity]);
    return db.transaction("entries").store.index("gate_created").openCursor(range, "prev")
      .then(function step(cursor) {
        if (!cursor || out.length >= n) return out;
        out.push(cursor.value);
        return cursor.continue().then(step);
      });
  }

  // Renders are coalesced: many saves and syncs in a burst draw the screen once.
  var drawing = null;
  function render() {
    if (!drawing) {
      drawing = new Promise(function (resolve) { setTimeout(resolve, 50); })
        .then(function () { drawing = null; return draw(); });
    }
    return drawing;
  }

  function draw() {
    return dbp.then(function (db) {
      return Promise.all([
        db.countFromIndex("entries", "gate_state", IDBKeyRange.only([gateId, "waiting"])),
        byState("refused"),
        latest(db, 10),
        kvGet("lastSync:" + gateId)
      ]);
    }).then(function (r) {
      $("waiting-count").textContent = r[0];
      var last = r[3];
      $("last-sync").textContent = last ? new Date(last).toLocaleString("zh-CN", { hour12: false }) : "—";
      var refused = r[1];
      $("refused").classList.toggle("d-none", !refused.length);
      $("refused-count").textContent = refused.length;
      var list = $("refused-list");
      list.textContent = "";
      refused.forEach(function (x) {
        var li = document.createElement("li");
        li.className = "list-group-item d-flex gap-2 align-items-center refused-item";
        var text = document.createElement("span");
        text.className = "me-auto";
        text.textContent = time(x) + " " + x.name + "：" + x.reason;
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "btn btn-sm btn-outline-secondary";
        drop.textContent = "放弃";
        drop.addEventListener("click", function () {
          if (!window.confirm("放弃这条未被接收的登记？它仍保留在本机，可随待同步登记一起导出。")) return;
          x.state = "discarded";
          dbp.then(function (db) { return db.put("entries", x); }).then(render);
        });
        li.appendChild(text);
        li.appendChild(drop);
        list.appendChild(li);
      });
      var recent = r[2];
      var ul = $("recent-list");
      ul.textContent = "";
      recent.forEach(function (x) {
        var li = document.createElement("li");
        li.className = "list-group-item py-1" + (x.fever ? " list-group-item-danger" : "");
        li.textContent = time(x) + " " + (x.direction === "in" ? "进" : "出") + " " + x.name +
          (x.temperature !== null ? " " + x.temperature + " ℃" : "") + " · " + STATE[x.state];
        ul.appendChild(li);
      });
    });
  }

  function time(x) { return new Date(x.at).toLocaleTimeString("zh-CN", { hour12: false }); }

  // --- the sync loop ----------------------------------------------------------------------
  var syncing = false;
  var failures = 0;
  var retry = null;

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : cfg.csrf;
  }

  function wire(x) {
    return {
      uid: x.uid, at: x.at, direction: x.direction, member: x.member, pass_code: x.pass_code,
      temperature: x.temperature, visitor_name: x.visitor_name, visitor_phone: x.visitor_phone,
      visitor_reason: x.visitor_reason, visitor_host: x.visitor_host
    };
  }

  function send(device, waiting, batch) {
    return fetch(cfg.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ gate: gateId, device: device, waiting: waiting, entries: batch.map(wire) })
    }).then(function (r) {
      if (r.ok) return r.json();
      if (r.status === 401 || r.status === 403) net("登录已过期：请重新登录后同步（登记仍保存在本机）", "warning");
      throw new Error(String(r.status));
    });
  }

  function apply(result) {
    return dbp.then(function (db) {
      var tx = db.transaction("entries", "readwrite");
      var done = [];
      result.stored.concat(result.known).forEach(function (uid) {
        done.push(tx.store.get(uid).then(function (x) {
          if (x && x.state !== "sent") { x.state = "sent"; x.synced = Date.now(); return tx.store.put(x); }
        }));
      });
      result.refused.forEach(function (r) {
        done.push(tx.store.get(r.uid).then(function (x) {
          if (x && x.state === "waiting") { x.state = "refused"; x.reason = r.reason; return tx.store.put(x); }
        }));
      });
      done.push(tx.done);
      return Promise.all(done);
    }).then(function () { return kvSet("lastSync:" + gateId, Date.now()); });
  }

  var again = false; // an entry was saved while a sync was under way: run once more after it

  function sync(heartbeat) {
    if (!navigator.onLine) { net("离线", "secondary"); return render(); } // "online" resumes
    if (syncing) { again = true; return Promise.resolve(); }
    syncing = true;
    again = false;
    clearTimeout(retry);
    var device;
    return deviceId.then(function (d) {
      device = d;
      return round(true);
    }).then(function () {
      failures = 0;
      net("在线", "success");
    }, function () {
      failures += 1;
      if (!navigator.onLine) net("离线", "secondary");
      else net("同步失败，稍后重试", "warning");
      retry = setTimeout(sync, Math.min(30000, 500 * Math.pow(2, failures)));
    }).then(function () {
      syncing = false;
      if (again && !failures) sync();
      return render();
    });

    function round(first) {
      return byState("waiting").then(function (waiting) {
        if (!waiting.length && !(first && heartbeat)) return null;
        waiting.sort(function (a, b) { return (b.fever ? 1 : 0) - (a.fever ? 1 : 0) || a.created - b.created; });
        var batch = waiting.slice(0, BATCH);
        return send(device, waiting.length, batch).then(apply).then(function () {
          if (waiting.length > batch.length) return round(false);
          return null;
        });
      });
    }
  }

  function net(text, tone) {
    var badge = $("net-state");
    badge.textContent = text;
    badge.className = "badge text-bg-" + tone;
  }

  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", function () { net("离线", "secondary"); });
  setInterval(function () { sync(true); }, HEARTBEAT_MS);

  // --- the last resort: a file the duty office imports ---------------------------------
  $("export").addEventListener("click", function () {
    Promise.all([deviceId, byState("waiting"), byState("refused")]).then(function (r) {
      var entries = r[1].concat(r[2]);
      var doc = {
        format: "gates-export/1", gate: gateId, device: r[0], officer: Number(cfg.officer),
        exported_at: new Date().toISOString(), entries: entries.map(wire)
      };
      var a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([JSON.stringify(doc)], { type: "application/json" }));
      a.download = "门岗登记-" + gateId + "-" + new Date().toISOString().slice(0, 19).replace(/[:T]/g, "") + ".json";
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  });

  // --- keep working offline: persistent storage and the service worker --------------------
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().then(function (granted) {
      $("storage-state").textContent = granted ? " · 本机存储已设为持久" : " · 浏览器未允许持久存储，请定期同步";
    });
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.swUrl, { scope: cfg.scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      var urls = [location.href, cfg.peopleUrl];
      document.querySelectorAll("script[src], link[rel=stylesheet]").forEach(function (n) {
        urls.push(n.src || n.href);
      });
      if (reg.active) reg.active.postMessage({ type: "cache", urls: urls });
    }).catch(function () { /* no service worker (private mode): the page still works online */ });
  }

  net(navigator.onLine ? "在线" : "离线", navigator.onLine ? "success" : "secondary");
  loadPeople().then(render).then(function () { app.dataset.ready = "1"; sync(true); });
})();
