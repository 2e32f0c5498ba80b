/* 班级借阅: the scan box keeps the focus; scans go to the server one at a time, in order, so a fast scanner
 * (card, book, book, next card…) loses nothing; each answer replaces the notice and the pupil's row. */
(function () {
  "use strict";
  const form = document.getElementById("session-form");
  if (!form) return;
  const box = document.getElementById("session-scan");
  const reader = document.getElementById("session-reader");
  const busy = document.getElementById("session-busy");
  const notice = document.getElementById("session-notice");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const queue = [];
  let running = false;

  function show(html) {
    notice.innerHTML = html;
  }

  function apply(answer) {
    show(answer.notice);
    reader.value = answer.reader || "";
    document.querySelectorAll(".session-pupils tr.is-current").forEach((tr) => tr.classList.remove("is-current"));
    if (answer.row_id && answer.row) {
      const old = document.getElementById(answer.row_id);
      const holder = document.createElement("tbody");
      holder.innerHTML = answer.row.trim();
      const row = holder.firstElementChild;
      if (old) old.replaceWith(row);
      else document.querySelector(".session-pupils tbody").prepend(row);
      row.scrollIntoView({ block: "nearest" });
    }
  }

  async function send(text) {
    const body = new URLSearchParams({ q: text, reader: reader.value, csrfmiddlewaretoken: csrf });
    try {
      const response = await fetch(form.action, { method: "POST", body, headers: { "X-CSRFToken": csrf } });
      if (response.status >= 500 || !response.headers.get("content-type")?.includes("json")) {
        show(`<div class="notice error" role="alert"><div class="notice-body"><div class="notice-text">${form.dataset.serverError}</div></div></div>`);
        return;
      }
      apply(await response.json());
    } catch (e) {
      show(`<div class="notice error" role="alert"><div class="notice-body"><div class="notice-text">${form.dataset.offline}</div></div></div>`);
    }
  }

  async function run() {
    if (running) return;
    running = true;
    busy.hidden = false;
    while (queue.length) await send(queue.shift());
    busy.hidden = true;
    running = false;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value;
    box.value = "";
    if (!text.trim()) return;
    queue.push(text);
    run();
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest("a, button, input, select, textarea")) box.focus({ preventScroll: true });
  });
})();
