/* DocSend Desktop viewer: one page at a time, and the beacons that make visits.
 *
 * Time counts only while the page is visible (Page Visibility API). Every event carries the visible
 * seconds spent on its page since the previous event: a heartbeat every 5 s while visible, a flush of
 * the old page's time plus a "page" event on a page change, and on hide/close a final event sent with
 * navigator.sendBeacon so it survives the tab going away. The visit token in data-token says who and
 * what; the server trusts nothing else. Without this script the page still works (links and a form).
 */
(function () {
  "use strict";

  var root = document.getElementById("viewer");
  if (!root) { return; }

  var HEARTBEAT_MS = 5000;
  var MIN_SEND_GAP_MS = 600;    // at most ~2 beacons a second, as the server allows
  var MAX_EVENTS = 8;           // per beacon, as the server allows
  var MAX_EVENT_SECONDS = 600;

  var token = root.dataset.token;
  var beaconUrl = root.dataset.beaconUrl;
  var imageUrl = root.dataset.imageUrl;
  var here = root.dataset.here;
  var pages = parseInt(root.dataset.pages, 10);
  var page = parseInt(root.dataset.page, 10);
  var widths = root.dataset.widths.split(",").map(Number);

  var image = document.getElementById("page-image");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var jump = document.getElementById("jump");
  var input = document.getElementById("page-input");
  var status = document.getElementById("status");
  var notice = document.getElementById("notice");

  var queue = [];
  var lastSendAt = -Infinity;
  var sendTimer = null;
  var stopped = false;
  var visibleSince = isVisible() ? performance.now() : null;
  var pendingMs = 0;

  function isVisible() { return document.visibilityState === "visible"; }

  /* Visible seconds since the last call; the clock runs only while visible. */
  function takeSeconds() {
    var now = performance.now();
    if (visibleSince !== null) {
      pendingMs += now - visibleSince;
      visibleSince = now;
    }
    var seconds = Math.min(pendingMs / 1000, MAX_EVENT_SECONDS);
    pendingMs = 0;
    return Math.round(seconds * 1000) / 1000;
  }

  function enqueue(kind, onPage, seconds) {
    var last = queue[queue.length - 1];
    if (kind === "heartbeat" && last && last.p === onPage && last.k !== "close" &&
        last.s + seconds <= MAX_EVENT_SECONDS) {
      last.s = Math.round((last.s + seconds) * 1000) / 1000;  // merge: fewer beacons, same figures
      return;
    }
    queue.push({ k: kind, p: onPage, s: seconds });
  }

  function body(events) { return JSON.stringify({ t: token, e: events }); }

  /* Send what is queued: by fetch normally, by sendBeacon when the page is going away. */
  function flush(leaving) {
    if (stopped || queue.length === 0) { return; }
    if (leaving) {
      while (queue.length) {
        var batch = queue.splice(0, MAX_EVENTS);
        if (!navigator.sendBeacon || !navigator.sendBeacon(beaconUrl, body(batch))) {
          post(batch, true);
        }
      }
      return;
    }
    var wait = lastSendAt + MIN_SEND_GAP_MS - performance.now();
    if (wait > 0) {
      if (sendTimer === null) { sendTimer = setTimeout(function () { sendTimer = null; flush(false); }, wait); }
      return;
    }
    lastSendAt = performance.now();
    post(queue.splice(0, MAX_EVENTS), false);
    if (queue.length) { flush(false); }
  }

  function post(events, keepalive) {
    fetch(beaconUrl, {
      method: "POST", body: body(events), keepalive: keepalive, credentials: "same-origin",
      headers: { "Content-Type": "application/json" }
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        stop("This page has been open a long time. Reload it to continue.");
      } else if (response.status === 410) {
        stop("This link is no longer available.");
      } else if (response.status === 429 || response.status >= 500) {
        requeue(events);
      }
    }).catch(function () { requeue(events); });  // offline: keep the figures for the next beacon
  }

  function requeue(events) {
    if (queue.length + events.length <= 4 * MAX_EVENTS) { queue = events.concat(queue); }
  }

  function stop(message) {
    stopped = true;
    notice.textContent = message;
    notice.hidden = false;
  }

  function imageSrc(n, width) {
    return imageUrl + "?t=" + encodeURIComponent(token) + "&n=" + n + "&w=" + width;
  }

  function srcset(n) {
    return widths.map(function (w) { return imageSrc(n, w) + " " + w + "w"; }).join(", ");
  }

  /* Tell the browser the width the page is really shown at, so it fetches the right size. Only on a
   * change: setting the attribute restarts the image load, which would fire "load" again. */
  function fitSizes() {
    var shown = Math.ceil(image.getBoundingClientRect().width);
    var sizes = shown + "px";
    if (shown > 0 && image.getAttribute("sizes") !== sizes) { image.sizes = sizes; }
  }

  function prefetch(n) {
    if (n < 1 || n > pages) { return; }
    var ahead = new Image();
    ahead.sizes = image.sizes;
    ahead.srcset = srcset(n);
    ahead.src = imageSrc(n, widths[2]);
  }

  function setButton(link, target) {
    if (target >= 1 && target <= pages) {
      link.href = here + "?page=" + target;
      link.removeAttribute("aria-disabled");
    } else {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
    }
  }

  function show(n) {
    image.srcset = srcset(n);
    image.src = imageSrc(n, widths[2]);
    image.alt = "Page " + n + " of " + pages;
    input.value = n;
    status.textContent = "Page " + n + " of " + pages;
    setButton(prev, n - 1);
    setButton(next, n + 1);
    history.replaceState(null, "", here + "?page=" + n);
    prefetch(n + 1);
  }

  function go(n) {
    if (!(n >= 1 && n <= pages) || n === page) { return; }
    var seconds = takeSeconds();
    if (seconds > 0) { enqueue("heartbeat", page, seconds); }
    page = n;
    enqueue("page", page, 0);
    flush(false);
    show(page);
  }

  prev.addEventListener("click", function (event) { event.preventDefault(); go(page - 1); });
  next.addEventListener("click", function (event) { event.preventDefault(); go(page + 1); });
  jump.addEventListener("submit", function (event) {
    event.preventDefault();
    var n = parseInt(input.value, 10);
    if (n >= 1 && n <= pages) { go(n); } else { input.value = page; }
    input.blur();
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target === input) { return; }
    var target = null;
    if (event.key === "ArrowRight" || event.key === "PageDown") { target = page + 1; }
    else if (event.key === "ArrowLeft" || event.key === "PageUp") { target = page - 1; }
    else if (event.key === "Home") { target = 1; }
    else if (event.key === "End") { target = pages; }
    if (target !== null) { event.preventDefault(); go(target); }
  });

  document.addEventListener("visibilitychange", function () {
    if (isVisible()) {
      if (visibleSince === null) { visibleSince = performance.now(); }
    } else {
      var seconds = takeSeconds();
      visibleSince = null;
      enqueue("heartbeat", page, seconds);
      flush(true);
    }
  });
  window.addEventListener("pagehide", function () {
    var seconds = takeSeconds();
    visibleSince = null;
    enqueue("close", page, seconds);
    flush(true);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {  // back from the bfcache: a new open
      stopped = false;
      if (isVisible()) { visibleSince = performance.now(); }
      enqueue("open", page, 0);
      flush(false);
    }
  });
  setInterval(function () {
    if (isVisible() && !stopped) {
      enqueue("heartbeat", page, takeSeconds());
      flush(false);
    }
  }, HEARTBEAT_MS);
  window.addEventListener("resize", fitSizes);
  image.addEventListener("load", fitSizes);

  var downloadLink = document.getElementById("download");
  if (downloadLink) {
    downloadLink.addEventListener("click", function () {
      var seconds = takeSeconds();  // the download is recorded by the server; keep time on this page
      if (seconds > 0) { enqueue("heartbeat", page, seconds); flush(false); }
    });
  }

  enqueue("open", page, 0);
  flush(false);
  prefetch(page + 1);
}());
