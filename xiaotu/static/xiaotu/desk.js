/* 校图 借还台: one scan box that always has the focus, modes on F2/F3/F4, and a queue so a fast scanner loses nothing.
 *
 * Every desk form (the scan box, a reader choice, a renew button, the transfer offer) is sent through one queue,
 * one request at a time, so a card scanned just before a book is always applied first.
 */
(function () {
  "use strict";

  const form = document.getElementById("scan-form");
  if (!form || !window.htmx) return;
  const box = document.getElementById("scan");
  const busy = document.getElementById("scan-busy");
  const MODES = ["lend", "return", "renew"];
  const MODE_KEYS = { F2: "lend", F3: "return", F4: "renew" };
  const ALT_MODE_KEYS = { Digit1: "lend", Digit2: "return", Digit3: "renew" };
  const queue = [];
  let running = false;

  const mode = () => document.body.dataset.mode;
  const readerId = () => (document.getElementById("desk-reader") || {}).value || "";
  const choices = () => Array.from(document.querySelectorAll("#reader-choices [role=option]"));
  const loanRows = () => Array.from(document.querySelectorAll("#reader-panel tr[data-barcode]"));
  const isControl = (el) => el && el !== box && el.matches && el.matches("input, select, textarea, button, a[href]");

  function focusBox() {
    if (document.activeElement !== box) box.focus({ preventScroll: true });
  }

  /* ---- sound: WebAudio tones, no files ---- */
  let audio = null;
  function wakeAudio() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) {
      audio = null;
    }
  }
  const TONES = {
    ok: [[1046, 0.07, "sine", 0.12]],
    warn: [[660, 0.12, "triangle", 0.3], [660, 0.12, "triangle", 0.3]],
    error: [[330, 0.18, "square", 0.2], [220, 0.32, "square", 0.2]],
  };
  function beep(kind) {
    if (!TONES[kind]) return;
    document.body.dataset.lastSound = kind; // lets a browser test see that the desk beeped
    if (!audio) return;
    let t = audio.currentTime + 0.01;
    for (const [freq, length, type, volume] of TONES[kind]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = type;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(volume, t);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + length);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + length);
      t += length + 0.05;
    }
  }

  /* ---- the queue ---- */
  function enqueue(request) {
    queue.push(request);
    pump();
  }
  function pump() {
    busy.hidden = !running && queue.length === 0;
    if (running || queue.length === 0) return;
    running = true;
    busy.hidden = false;
    const request = queue.shift();
    const values = typeof request.values === "function" ? request.values() : request.values;
    htmx
      .ajax(request.method || "POST", request.url, { target: "#desk-message", swap: "innerHTML", values: values })
      .catch(() => {})
      .finally(() => {
        running = false;
        pump();
      });
  }

  function localNotice(text, kind) {
    const div = document.createElement("div");
    div.className = "notice " + kind;
    div.setAttribute("role", kind === "error" ? "alert" : "status");
    const icon = document.createElement("div");
    icon.className = "notice-icon";
    icon.textContent = kind === "error" ? "✕" : "›";
    const body = document.createElement("div");
    body.className = "notice-body";
    const line = document.createElement("div");
    line.className = "notice-text";
    line.textContent = text;
    body.appendChild(line);
    div.append(icon, body);
    document.getElementById("desk-message").replaceChildren(div);
    if (kind === "error") beep("error");
  }

  /* ---- modes ---- */
  function setMode(next) {
    if (!MODES.includes(next) || next === mode()) return;
    document.body.dataset.mode = next;
    form.elements.namedItem("mode").value = next;
    document.querySelectorAll(".modes [data-mode]").forEach((tab) => {
      tab.setAttribute("aria-selected", String(tab.dataset.mode === next));
    });
    box.placeholder = box.dataset["placeholder" + next.charAt(0).toUpperCase() + next.slice(1)];
    box.value = "";
    document.getElementById("desk-message").replaceChildren();
    document.getElementById("reader-choices").replaceChildren();
    history.replaceState(null, "", "?mode=" + next);
    // A return in the other mode may have changed what the reader holds: show it afresh.
    if (next !== "return" && readerId()) {
      const id = readerId();
      enqueue({ method: "GET", url: form.dataset.readerUrl, values: { reader: id, mode: next } });
    }
    focusBox();
  }

  function nextReader() {
    enqueue({ method: "GET", url: form.dataset.readerUrl, values: { mode: mode() } });
  }

  /* ---- lists chosen with the arrow keys ---- */
  function move(items, step) {
    if (!items.length) return;
    let index = items.findIndex((el) => el.getAttribute("aria-selected") === "true");
    index = index < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, index + step));
    items.forEach((el, i) => el.setAttribute("aria-selected", String(i === index)));
    items[index].scrollIntoView({ block: "nearest" });
  }
  const selected = (items) => items.find((el) => el.getAttribute("aria-selected") === "true");

  function submit(formElement) {
    if (formElement) formElement.requestSubmit();
  }

  /* ---- every desk form goes through the queue ---- */
  document.addEventListener("submit", (event) => {
    const target = event.target;
    if (!target.matches("form[data-desk]")) return;
    event.preventDefault();
    const data = Object.fromEntries(new FormData(target));
    if (target === form) {
      const text = box.value;
      if (!text.trim()) return;
      box.value = "";
      const scanMode = mode();
      // The reader is read when the request leaves, so a card scanned just before this book counts.
      enqueue({ url: target.action, values: () => ({ ...data, q: text, mode: scanMode, reader: readerId() }) });
    } else {
      if ("reader" in data && target.matches("[data-renew]")) data.reader = readerId() || data.reader;
      enqueue({ url: target.action, values: data });
    }
    focusBox();
  });

  box.addEventListener("keydown", (event) => {
    if (event.isComposing || event.keyCode === 229) return; // typing a name with a Chinese input method
    const list = choices();
    const text = box.value.trim();
    if (event.key === "Enter") {
      if (list.length && (text === "" || text === document.getElementById("reader-choices").dataset.query)) {
        event.preventDefault();
        submit((selected(list) || list[0]).querySelector("form"));
      } else if (text === "") {
        event.preventDefault();
        submit(document.querySelector("form[data-transfer]"));
      }
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const step = event.key === "ArrowDown" ? 1 : -1;
      if (list.length) {
        event.preventDefault();
        move(list, step);
      } else if (text === "" && mode() !== "return") {
        event.preventDefault();
        move(loanRows(), step);
      }
    }
  });

  document.addEventListener("keydown", (event) => {
    wakeAudio();
    if (event.isComposing) return;
    const plain = !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
    const modeKey = plain ? MODE_KEYS[event.key] : event.altKey && !event.ctrlKey ? ALT_MODE_KEYS[event.code] : null;
    if (modeKey) {
      event.preventDefault();
      setMode(modeKey);
    } else if (event.key === "F8" && plain) {
      event.preventDefault();
      submit(document.querySelector("form[data-transfer]"));
    } else if (event.altKey && !event.ctrlKey && event.code === "KeyR") {
      event.preventDefault();
      const row = selected(loanRows());
      if (row) submit(row.querySelector("form[data-renew]"));
      else localNotice(box.dataset.renewHint || "请先用 ↑ ↓ 选择要续借的书", "info");
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (choices().length) document.getElementById("reader-choices").replaceChildren();
      else if (box.value) box.value = "";
      else if (readerId()) nextReader();
      else document.getElementById("desk-message").replaceChildren();
      focusBox();
    } else if (document.activeElement !== box && !isControl(document.activeElement) && event.key.length === 1 && plain) {
      focusBox(); // a scan that starts while the focus is elsewhere still lands in the box
    }
  });

  /* ---- after each answer: focus back, sound, the search text kept for refining ---- */
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "desk-message") return;
    const notice = event.detail.target.querySelector("[data-sound]");
    if (notice && notice.dataset.sound) beep(notice.dataset.sound);
    const query = (document.getElementById("reader-choices") || {}).dataset || {};
    if (choices().length && !box.value && query.query) {
      box.value = query.query;
      box.select();
    }
    focusBox();
  });
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const url = event.detail.xhr.responseURL || "";
    if (url.includes("/accounts/login/")) {
      event.detail.shouldSwap = false;
      window.location.reload(); // the session ended: the login page comes back with ?next=/desk/
    }
  });
  document.body.addEventListener("htmx:responseError", (event) => {
    localNotice((box.dataset.serverError || "服务器出错") + " (" + event.detail.xhr.status + ")", "error");
  });
  document.body.addEventListener("htmx:sendError", () => {
    localNotice(box.dataset.offline || "连接不上服务器，请检查网络后重新扫描", "error");
  });

  document.addEventListener("click", (event) => {
    const tab = event.target.closest(".modes [data-mode]");
    if (tab) {
      event.preventDefault();
      setMode(tab.dataset.mode);
      return;
    }
    const row = event.target.closest("#reader-panel tr[data-barcode]");
    if (row) loanRows().forEach((el) => el.setAttribute("aria-selected", String(el === row)));
    if (!event.target.closest("input, select, textarea, .topbar")) setTimeout(focusBox, 0);
  });
  window.addEventListener("focus", focusBox);
  box.addEventListener("blur", () => {
    setTimeout(() => {
      if (!document.activeElement || document.activeElement === document.body) focusBox();
    }, 0);
  });
  focusBox();
})();
