/* The web display board: the same board as `motcua display`, for smart TVs.
 *
 * Follows /ws/events (a snapshot first, then events), reconnects with since= and
 * shows a banner while the link is down instead of stale numbers. Calls are
 * spotlighted and announced: the chime then the sentence, both made by the server
 * (/api/voice/…), `repeat` times, one announcement after another.
 *
 * Address: /display?token=T[&board=NAME | &counters=1,2][&services=TP,DD][&sound=0][&volume=80]
 * `board` names one of the site file's [[boards]]: its zone comes with every snapshot, so a
 * change of the site file redraws it live; it wins over `counters` and `services`.
 * Plain ES2015 with no build step: TV browsers are old. */
(function () {
  "use strict";

  var WEEKDAYS = ["Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];
  var BLINK_MS = 3000;
  var PAUSE_MS = 700;
  var GAP_MS = 500;
  var PLAY_TIMEOUT_MS = 30000;
  var TICKER_PX_PER_S = 60;
  var SOUND_BAR_PX = 48; // .sound's height in display.css

  var params = new URLSearchParams(location.search);
  var token = params.get("token") || "";
  var zoneCounters = numbers(params.get("counters"));
  var zoneServices = words(params.get("services"));
  var boardName = params.get("board");
  var unknownBoard = false;
  var soundWanted = params.get("sound") !== "0";
  var volume = Math.max(0, Math.min(1, Number(params.get("volume") || "100") / 100));

  var state = {
    display: null,
    counters: [],
    services: [],
    history: [],
    skewMs: 0,
    offsetMin: 420,
    lastSeq: null,
    snapshotSeq: 0,
    deliveredSeq: 0,
    announced: {}
  };
  // For tests and for a technician at the TV's console.
  window.motcua = { state: state, calls: [], played: [], link: "connecting" };

  function $(id) { return document.getElementById(id); }
  function numbers(text) { return words(text).map(Number).filter(function (n) { return n > 0; }); }
  function words(text) {
    return (text || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function authHeaders() { return { Authorization: "Bearer " + token }; }

  // --- zone: which counters and services this board shows -------------------------------

  function takeZone(boards) {
    // A name the site does not know shows everything (a blank wall helps nobody) and says so.
    if (boardName === null) { return; }
    var found = (boards || []).filter(function (b) { return b.name === boardName; })[0];
    unknownBoard = !found;
    zoneCounters = found ? found.counters : [];
    zoneServices = found ? found.services : [];
  }

  function shownCounters() {
    return state.counters.filter(function (c) {
      if (zoneCounters.length) { return zoneCounters.indexOf(c.number) >= 0; }
      if (zoneServices.length) {
        return c.services.some(function (s) { return zoneServices.indexOf(s) >= 0; });
      }
      return true;
    });
  }
  function shownServices() {
    var codes = zoneServices;
    if (!codes.length && zoneCounters.length) {
      codes = [];
      shownCounters().forEach(function (c) { codes = codes.concat(c.services); });
    }
    return state.services.filter(function (s) { return !codes.length || codes.indexOf(s.code) >= 0; });
  }
  function inZone(counter, service) {
    var counterOk = !zoneCounters.length || zoneCounters.indexOf(counter) >= 0;
    var serviceOk = !zoneServices.length || zoneServices.indexOf(service) >= 0;
    return counterOk && serviceOk;
  }

  // --- time: the server's clock, in the site's offset ------------------------------------

  function offsetOf(iso) {
    var m = /([+-])(\d\d):(\d\d)$/.exec(iso);
    return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  }
  function siteNow() { return new Date(Date.now() + state.skewMs + state.offsetMin * 60000); }
  function renderClock() {
    var d = siteNow();
    $("date").textContent = WEEKDAYS[d.getUTCDay()] + ", " + pad(d.getUTCDate()) + "/" +
      pad(d.getUTCMonth() + 1) + "/" + d.getUTCFullYear();
    $("time").textContent = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  // --- the state, from the snapshot and the events ---------------------------------------

  function counterLabel(n) { return "Quầy " + n; }

  function pushHistory(call) {
    state.history = state.history.filter(function (h) {
      return !(h.number === call.number && h.counter === call.counter);
    });
    state.history.unshift(call);
    state.history = state.history.slice(0, state.display ? state.display.history : 8);
  }

  function applySnapshot(snapshot) {
    state.skewMs = Date.parse(snapshot.at) - Date.now();
    state.offsetMin = offsetOf(snapshot.at);
    state.display = snapshot.display;
    takeZone(snapshot.display.boards);
    state.counters = snapshot.counters;
    state.services = snapshot.services;
    state.snapshotSeq = snapshot.seq;
    state.deliveredSeq = 0;
    if (state.lastSeq === null || state.lastSeq > snapshot.seq) { state.lastSeq = snapshot.seq; }
    state.history = [];
    var names = {};
    snapshot.services.forEach(function (s) { names[s.code] = s.name; });
    snapshot.latest_calls.slice().reverse().forEach(function (c) {
      if (inZone(c.counter, c.service)) {
        pushHistory({ number: c.number, counter: c.counter, at: c.at, serviceName: names[c.service] || "" });
      }
    });
    renderAll();
    renderBanner();
  }

  function onEvent(event) {
    if (event.seq <= state.deliveredSeq) { return; }
    if (event.type === "site.updated") {
      // The site changed while the server ran: redraw from its state, as on connecting.
      var snapshot = event.snapshot;
      snapshot.seq = event.seq;
      state.lastSeq = Math.max(state.lastSeq || 0, event.seq);
      applySnapshot(snapshot);
      state.deliveredSeq = event.seq;
      return;
    }
    state.deliveredSeq = event.seq;
    state.lastSeq = Math.max(state.lastSeq || 0, event.seq);
    // Replayed events are already in the snapshot; only a recent call is still worth saying.
    var live = event.seq > state.snapshotSeq;
    var type = event.type;
    if (type === "ticket.called" || type === "ticket.recalled") {
      var ticket = event.ticket;
      var call = { number: ticket.number, counter: event.counter, at: event.at, serviceName: ticket.service_name };
      if (live) {
        state.counters.forEach(function (c) {
          if (c.number === event.counter) { c.current_ticket = ticket; }
        });
        if (inZone(event.counter, ticket.service)) { pushHistory(call); }
        renderCounters();
        renderHistory();
      }
      var ageMs = Date.now() + state.skewMs - Date.parse(event.at);
      var recent = ageMs < state.display.spotlight_seconds * 1000;
      if (inZone(event.counter, ticket.service) && (live || recent) && !state.announced[event.seq]) {
        state.announced[event.seq] = true;
        window.motcua.calls.push({ number: ticket.number, counter: event.counter, seq: event.seq });
        spotlight(call, state.display.spotlight_seconds * 1000);
        announce(ticket.number, event.counter);
      }
    } else if (type === "counter.updated") {
      if (live) {
        state.counters = state.counters.map(function (c) {
          return c.number === event.counter.number ? event.counter : c;
        });
        renderCounters();
      }
    } else if (live && event.ticket) {
      state.counters.forEach(function (c) {
        if (c.current_ticket && c.current_ticket.id === event.ticket.id) { c.current_ticket = null; }
      });
      renderCounters();
    }
    if (live && (type.indexOf("ticket.") === 0 || type === "service.updated")) { refreshWaiting(); }
  }

  var waitingTimer = null;
  function refreshWaiting() {
    // Events do not carry counts: ask once things settle (many events, one request).
    clearTimeout(waitingTimer);
    waitingTimer = setTimeout(function () {
      fetch("/api/services", { headers: authHeaders() })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (services) { state.services = services; renderWaiting(); })
        .catch(function () { /* the next event or snapshot brings them */ });
    }, 300);
  }

  // --- rendering --------------------------------------------------------------------------

  function renderAll() {
    var d = state.display;
    $("agency").textContent = d.agency || "";
    $("site-name").textContent = d.site_name;
    var ticker = $("ticker");
    if (ticker.textContent !== d.ticker) {
      ticker.textContent = d.ticker;
      tickerX = 40; // readable at once; then it scrolls away and comes back
    }
    renderClock();
    renderCounters();
    renderHistory();
    renderWaiting();
    if (!spotTimer && state.history.length) {
      var last = state.history[0];
      var leftMs = d.spotlight_seconds * 1000 - (Date.now() + state.skewMs - Date.parse(last.at));
      if (leftMs > 0) { // called moments ago: still the spotlight's, though not said again
        spotlight(last, leftMs);
      } else {
        showSpot(last.number, last.counter, last.serviceName, false);
      }
    }
  }

  function renderCounters() {
    var box = $("counters");
    var shown = shownCounters();
    box.className = shown.length > 8 ? "counters two" : "counters";
    box.textContent = "";
    shown.forEach(function (c) {
      var row = el("div", "counter " + c.state);
      row.dataset.counter = c.number;
      row.appendChild(el("span", "counter-name", c.name));
      var value = c.current_ticket ? c.current_ticket.number : "—";
      if (c.state === "paused") { value = "Tạm ngưng"; }
      if (c.state === "closed" && !c.current_ticket) { value = "Đóng"; }
      row.appendChild(el("span", "counter-number", value));
      box.appendChild(row);
    });
  }

  function renderHistory() {
    var list = $("history");
    list.textContent = "";
    state.history.forEach(function (h) {
      var item = el("li");
      item.appendChild(el("span", "call-number", h.number));
      item.appendChild(el("span", "call-counter", counterLabel(h.counter)));
      list.appendChild(item);
    });
  }

  function renderWaiting() {
    var box = $("waiting");
    box.textContent = "";
    shownServices().forEach(function (s) {
      var cell = el("div", "service");
      cell.dataset.service = s.code;
      cell.appendChild(el("span", "service-name", s.name));
      cell.appendChild(el("span", "waiting-count", String(s.waiting)));
      box.appendChild(cell);
    });
  }

  var spotTimer = null;
  function showSpot(number, counter, service, active) {
    var spot = $("spotlight");
    $("spot-caption").textContent = active ? "Mời công dân có số" : "Số vừa gọi";
    $("spot-number").textContent = number;
    $("spot-counter").textContent = "→ " + counterLabel(counter);
    $("spot-service").textContent = service;
    spot.classList.toggle("active", active);
    spot.classList.remove("blink");
    if (active) {
      void spot.offsetWidth; // restart the animation
      spot.classList.add("blink");
    }
  }

  function spotlight(call, durationMs) {
    showSpot(call.number, call.counter, call.serviceName, true);
    clearTimeout(spotTimer);
    spotTimer = setTimeout(function () {
      $("spotlight").classList.remove("active", "blink");
      $("spot-caption").textContent = "Số vừa gọi";
      spotTimer = null;
    }, durationMs);
  }

  function setLink(link) {
    window.motcua.link = link;
    var banner = $("offline");
    var messages = {
      connecting: "Đang kết nối máy chủ…",
      offline: "Mất kết nối máy chủ — đang kết nối lại…",
      rejected: "Mã thiết bị không hợp lệ — xin liên hệ quản trị"
    };
    if (link === "rejected") { refuse(); return; }
    banner.textContent = messages[link] || "";
    document.body.classList.toggle("stale", link !== "online");
    renderBanner();
  }

  function renderBanner() {
    var banner = $("offline");
    var link = window.motcua.link;
    if (link === "online") {
      banner.textContent = unknownBoard
        ? "Tệp cấu hình không có màn hình tên “" + boardName + "” — đang hiện tất cả các quầy" +
          " / The site file has no board named “" + boardName + "” — showing every counter"
        : "";
    }
    banner.hidden = !banner.textContent;
  }

  function refuse() {
    // The token was turned down (wrong, revoked or expired): say so in words, in place of
    // a board that would never update again.
    $("board").hidden = true;
    $("sound").hidden = true;
    $("refused").hidden = false;
    document.title = "Màn hình gọi số — không mở được";
  }

  // Moved by script, not a CSS animation, for the same speed on every TV whatever its width.
  var tickerX = 40;
  var tickerLast = null;
  function scrollTicker(now) {
    var ticker = $("ticker");
    if (tickerLast !== null && ticker.textContent) {
      tickerX -= TICKER_PX_PER_S * Math.min(0.1, (now - tickerLast) / 1000);
      if (tickerX < -ticker.offsetWidth) { tickerX = ticker.parentNode.offsetWidth; }
      ticker.style.transform = "translateX(" + Math.round(tickerX) + "px)";
    }
    tickerLast = now;
    requestAnimationFrame(scrollTicker);
  }

  // --- the event stream -------------------------------------------------------------------

  var attempt = 0;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var query = "?token=" + encodeURIComponent(token);
    if (state.lastSeq !== null) { query += "&since=" + state.lastSeq; }
    var ws = new WebSocket(scheme + location.host + "/ws/events" + query);
    var gotSnapshot = false;
    ws.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (!gotSnapshot) {
        gotSnapshot = true;
        attempt = 0;
        applySnapshot(data);
        setLink("online");
      } else {
        onEvent(data);
      }
    };
    ws.onclose = function (close) {
      if (close.code === 4401 || close.code === 4400) { setLink("rejected"); return; }
      setLink("offline");
      // Exponential, capped and jittered, so a hall of TVs does not stampede a restarted server.
      var delay = Math.min(15000, 500 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      setTimeout(connect, delay);
    };
  }

  // --- the voice: one announcement at a time ----------------------------------------------

  var player = new Audio();
  window.motcua.player = player;
  var sound = "probing"; // then "on", or "locked" until someone touches the screen
  window.motcua.sound = sound;
  function setSound(value) {
    sound = value;
    window.motcua.sound = value;
    $("sound").hidden = !(value === "locked" && soundWanted && window.motcua.link !== "rejected");
    fit();
  }
  var playing = false;
  var queue = [];
  var blobs = {};

  function wav(url) {
    if (!blobs[url]) {
      blobs[url] = fetch(url, { headers: authHeaders() })
        .then(function (r) { return r.ok ? r.blob() : Promise.reject(r.status); })
        .then(function (blob) { return URL.createObjectURL(blob); });
      blobs[url].catch(function () { delete blobs[url]; });
    }
    return blobs[url];
  }
  function callUrl(number, counter) {
    return "/api/voice/call.wav?number=" + encodeURIComponent(number) + "&counter=" + counter;
  }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function play(url, what) {
    return new Promise(function (resolve) {
      var entry = { what: what, started: performance.now(), ended: null };
      window.motcua.played.push(entry);
      var done = function () {
        clearTimeout(guard);
        player.onended = player.onerror = null;
        entry.ended = performance.now();
        resolve();
      };
      var guard = setTimeout(done, PLAY_TIMEOUT_MS);
      player.onended = player.onerror = done;
      player.volume = volume;
      player.src = url;
      player.play().catch(function (error) {
        if (error && error.name === "NotAllowedError") { lock(); }
        done();
      });
    });
  }

  function announce(number, counter) {
    if (!soundWanted || sound === "locked") { return; } // else it would say stale calls later
    queue.push({ number: number, counter: counter, speech: wav(callUrl(number, counter)) });
    pump();
  }

  function pump() {
    if (playing || !queue.length || sound !== "on") { return; }
    playing = true;
    var job = queue.shift();
    var times = state.display ? state.display.repeat : 2;
    var what = job.number + "@" + job.counter;
    var step = wav("/api/voice/chime.wav").then(function (chime) {
      return play(chime, "chime");
    }, function () { /* no chime: straight to the words */ });
    step.then(function () {
      return job.speech;
    }).then(function (speech) {
      var said = Promise.resolve();
      for (var i = 0; i < times; i += 1) {
        said = said.then(function () { return wait(PAUSE_MS); }).then(function () { return play(speech, what); });
      }
      return said;
    }, function () { /* no voice on the server: the chime alone */ }).then(function () {
      return wait(GAP_MS);
    }).then(function () {
      playing = false;
      pump();
    });
  }

  function lock() {
    queue = [];
    setSound("locked");
  }

  function unlock() {
    // Browsers let a page play sound only after a touch or a key: this is that touch.
    wav("/api/voice/chime.wav").then(function (url) {
      player.volume = volume;
      player.src = url;
      return player.play();
    }).then(function () {
      setSound("on");
      pump();
    }, function () { /* still locked */ });
  }

  function probeSound() {
    if (!soundWanted) { return; }
    // A TV started with autoplay allowed needs no touch: try silently first.
    wav("/api/voice/chime.wav").then(function (url) {
      player.volume = 0;
      player.src = url;
      return player.play();
    }).then(function () {
      player.pause();
      setSound("on");
      pump();
    }, function () {
      lock();
    });
  }

  // --- layout -----------------------------------------------------------------------------

  function fit() {
    // The whole board in the window, above the sound bar when that shows: the bar never
    // covers a number.
    var w = window.innerWidth;
    var h = window.innerHeight - ($("sound").hidden ? 0 : SOUND_BAR_PX);
    var portrait = window.innerHeight > w;
    document.body.classList.toggle("portrait", portrait);
    var bw = portrait ? 1080 : 1920, bh = portrait ? 1920 : 1080;
    var scale = Math.min(w / bw, h / bh);
    var board = $("board");
    board.style.transform = "scale(" + scale + ")";
    board.style.left = Math.max(0, Math.round((w - bw * scale) / 2)) + "px";
  }

  window.addEventListener("resize", fit);
  $("sound").addEventListener("click", unlock);
  document.addEventListener("keydown", function () { if (sound !== "on") { unlock(); } });
  fit();
  setLink("connecting");
  setInterval(function () { if (state.display) { renderClock(); } }, 1000);
  connect();
  probeSound();
  requestAnimationFrame(scrollTicker);
})();
