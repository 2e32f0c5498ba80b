/* 校图 编目: the ISBN box keeps the focus for the next scan, the 中图法 picker works from the keyboard, lists tick. */
(function () {
  "use strict";

  /* ---- the ISBN box: after each answer, ready for the next scan (unless the answer is a form to fill in) ---- */
  const box = document.querySelector("[data-isbn-box]");
  if (box) {
    box.addEventListener("focus", () => box.select());
    document.body.addEventListener("htmx:afterSettle", (event) => {
      if (event.detail.target.id !== "isbn-result") return;
      // A message about the book before is not about this one.
      document.querySelectorAll("main > .flash").forEach((flash) => flash.remove());
      const wanted = event.detail.target.querySelector("[autofocus]");
      if (wanted) wanted.focus();
      else {
        box.focus();
        box.select();
      }
    });
    // ↓ from the box walks the candidate records; Esc comes back to scan the next book.
    document.addEventListener("keydown", (event) => {
      const picks = Array.from(document.querySelectorAll("#isbn-result .candidate-pick"));
      if (!picks.length) return;
      const at = picks.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && (document.activeElement === box || at >= 0)) {
        event.preventDefault();
        picks[Math.min(picks.length - 1, at + 1)].focus();
      } else if (event.key === "ArrowUp" && at >= 0) {
        event.preventDefault();
        if (at === 0) box.focus();
        else picks[at - 1].focus();
      } else if (event.key === "Escape" && at >= 0) {
        box.focus();
      }
    });
    document.body.addEventListener("htmx:responseError", (event) => {
      const result = document.getElementById("isbn-result");
      if (!result) return;
      const div = document.createElement("div");
      div.className = "notice error";
      div.setAttribute("role", "alert");
      div.textContent = (box.dataset.serverError || "服务器出错") + " (" + event.detail.xhr.status + ")";
      result.replaceChildren(div);
    });
  }

  /* ---- the 中图法 picker: ↑ ↓ choose, Enter or a click takes the class, Esc closes ---- */
  function pickerParts(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    const caption = input.closest(".picker").querySelector(".picker-caption");
    return { list, caption, options: list ? Array.from(list.querySelectorAll("[role=option]")) : [] };
  }
  function showList(input, open) {
    const { list } = pickerParts(input);
    if (!list) return;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open && list.children.length > 0));
    if (!open) input.removeAttribute("aria-activedescendant");
  }
  function highlight(input, index) {
    const { options } = pickerParts(input);
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (options[index]) {
      options[index].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", options[index].id);
    }
  }
  function take(input, option) {
    const { caption } = pickerParts(input);
    input.value = option.dataset.code;
    if (caption) caption.textContent = option.dataset.caption || option.dataset.code;
    input.dataset.taken = input.value;
    showList(input, false);
    input.focus();
  }

  document.addEventListener("keydown", (event) => {
    const input = event.target.closest && event.target.closest("[data-clc-picker]");
    if (!input || event.isComposing) return;
    const { list, options } = pickerParts(input);
    const open = list && !list.hidden && options.length > 0;
    const current = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      showList(input, true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight(input, current < 0 ? (step > 0 ? 0 : options.length - 1) : Math.max(0, Math.min(options.length - 1, current + step)));
    } else if (event.key === "Enter" && open && input.value !== input.dataset.taken) {
      event.preventDefault(); // take the class instead of sending the form
      take(input, options[current < 0 ? 0 : current]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      showList(input, false);
    } else if (event.key === "Tab" && open && current >= 0) {
      take(input, options[current]);
    }
  });
  document.addEventListener("mousedown", (event) => {
    const option = event.target.closest && event.target.closest(".picker-list [role=option]");
    if (!option) return;
    event.preventDefault(); // keep the focus in the input
    const input = document.querySelector('[aria-controls="' + option.parentElement.id + '"]');
    if (input) take(input, option);
  });
  document.addEventListener("focusout", (event) => {
    const input = event.target.closest && event.target.closest("[data-clc-picker]");
    if (input) setTimeout(() => showList(input, false), 0);
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const list = event.detail.target;
    if (!list.classList || !list.classList.contains("picker-list")) return;
    const input = document.querySelector('[aria-controls="' + list.id + '"]');
    if (!input || document.activeElement !== input) return;
    showList(input, true);
    if (list.querySelector("[role=option]")) highlight(input, 0);
  });
  document.addEventListener("input", (event) => {
    const input = event.target.closest && event.target.closest("[data-clc-picker]");
    if (input) delete input.dataset.taken;
  });

  /* ---- lists: tick all, count the ticks, confirm deletions ---- */
  document.querySelectorAll("form[data-selection]").forEach((form) => {
    const all = form.querySelector("[data-select-all]");
    const boxes = () => Array.from(form.querySelectorAll('input[type=checkbox][name="item"]'));
    const counter = form.querySelector("[data-selected-count]");
    const idle = counter ? counter.textContent : "";
    const refresh = () => {
      const n = boxes().filter((b) => b.checked).length;
      if (counter) counter.textContent = n ? counter.dataset.template ? counter.dataset.template.replace("N", n) : "已勾选 " + n + " 册" : idle;
      if (all) all.checked = n > 0 && n === boxes().length;
    };
    if (all) all.addEventListener("change", () => { boxes().forEach((b) => { b.checked = all.checked; }); refresh(); });
    form.addEventListener("change", refresh);
  });
  document.addEventListener("submit", (event) => {
    const message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
