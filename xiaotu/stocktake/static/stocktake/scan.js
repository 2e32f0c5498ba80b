/* 校图 清点扫描: the scanner types into one box that always has the focus; each barcode is posted in order, and the
 * page answers with a colour, a tone and a line in the list of last scans. A queue keeps a fast scanner's reads. */
(function () {
  "use strict";

  const form = document.getElementById("stocktake-scan");
  if (!form) return;
  const box = document.getElementById("barcode");
  const result = document.getElementById("scan-result");
  const recent = document.getElementById("recent");
  const count = document.getElementById("run-count");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const labels = JSON.parse(form.dataset.labels);
  const queue = [];
  let running = false;

  /* ---- sound: WebAudio tones, a different one per result ---- */
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
    found: [[1046, 0.07, "sine", 0.12]],
    duplicate: [[523, 0.05, "sine", 0.06]],
    misplaced: [[660, 0.1, "triangle", 0.3], [660, 0.1, "triangle", 0.3]],
    on_loan: [[880, 0.1, "triangle", 0.25], [587, 0.16, "triangle", 0.25]],
    lost: [[523, 0.1, "triangle", 0.25], [784, 0.16, "triangle", 0.25]],
    unknown: [[220, 0.3, "square", 0.15]],
    error: [[330, 0.18, "square", 0.2], [220, 0.32, "square", 0.2]],
  };
  function beep(kind) {
    document.body.dataset.lastSound = kind; // lets a browser test hear the page
    if (!audio || !TONES[kind]) return;
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

  /* ---- focus: always in the box, unless a control elsewhere is being used ---- */
  function focusBox() {
    if (document.activeElement !== box) box.focus({ preventScroll: true });
  }
  document.addEventListener("click", (event) => {
    wakeAudio();
    if (!event.target.closest("a, button, input, select, textarea, summary")) focusBox();
  });
  box.addEventListener("blur", () => setTimeout(() => {
    const el = document.activeElement;
    if (!el || el === document.body) focusBox();
  }, 150));

  /* ---- showing a result ---- */
  function show(kind, label, text) {
    result.className = "st-result " + kind;
    result.replaceChildren();
    const head = document.createElement("div");
    head.className = "st-result-label";
    head.textContent = label;
    const body = document.createElement("div");
    body.className = "st-result-text";
    body.textContent = text;
    result.append(head, body);
  }
  function addRow(data, kind, label) {
    const row = document.createElement("tr");
    row.className = "outcome-" + kind;
    const time = new Date().toLocaleTimeString("zh-CN", { hour12: false });
    for (const text of [time, data.barcode, data.title || ""]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.appendChild(cell);
    }
    row.children[0].className = "nowrap";
    row.children[1].className = "mono";
    const cell = document.createElement("td");
    const pill = document.createElement("span");
    pill.className = "pill " + kind;
    pill.textContent = label;
    cell.appendChild(pill);
    row.appendChild(cell);
    recent.prepend(row);
    while (recent.children.length > 15) recent.lastElementChild.remove();
  }

  /* ---- the queue ---- */
  async function send(code) {
    let response;
    try {
      response = await fetch(form.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify({ barcode: code }),
      });
    } catch (e) {
      show("error", labels.error, form.dataset.offline);
      beep("error");
      return;
    }
    let data = {};
    try {
      data = await response.json();
    } catch (e) {
      data = { message: form.dataset.serverError };
    }
    if (response.status !== 200 && response.status !== 201) {
      show("error", labels.error, data.message || form.dataset.serverError);
      beep("error");
      return;
    }
    const kind = data.duplicate ? "duplicate" : data.outcome;
    const label = data.duplicate ? form.dataset.duplicate : labels[data.outcome];
    show(kind, label, data.message);
    beep(kind);
    addRow(data, kind, label);
    if (response.status === 201) count.textContent = String(Number(count.textContent) + 1);
    document.body.dispatchEvent(new Event("scanned"));
  }
  async function pump() {
    if (running) return;
    running = true;
    while (queue.length) await send(queue.shift());
    running = false;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    wakeAudio();
    const code = box.value.trim();
    box.value = "";
    if (!code) return;
    queue.push(code);
    pump();
  });
  focusBox();
})();
