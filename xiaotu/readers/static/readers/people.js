/* 校图 读者: the reader search (↑ ↓ choose, Enter takes, Esc closes) wherever a reader is asked for, ticks on the
 * reader list, whole grades on the card page, confirmations. */
(function () {
  "use strict";

  /* ---- the reader search: mode "go" opens the reader, mode "add" adds them to the list of picked readers ---- */
  function parts(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    return { list, options: list ? Array.from(list.querySelectorAll("[role=option]")) : [] };
  }
  function show(input, open) {
    const { list } = parts(input);
    if (!list) return;
    list.hidden = !open || list.children.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
    if (list.hidden) input.removeAttribute("aria-activedescendant");
  }
  function highlight(input, index) {
    const { options } = parts(input);
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (options[index]) {
      options[index].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", options[index].id);
    }
  }
  function picked() {
    return document.querySelector("[data-picked]");
  }
  function countPicked() {
    const list = picked();
    const n = list ? list.querySelectorAll("input[name=reader]").length : 0;
    document.querySelectorAll("[data-picked-count]").forEach((el) => { el.textContent = String(n); });
  }
  function take(input, option) {
    if (input.dataset.readerPicker === "go") {
      window.location.href = option.dataset.url;
      return;
    }
    const list = picked();
    if (list && !list.querySelector('input[name=reader][value="' + option.dataset.id + '"]')) {
      const item = document.createElement("li");
      const hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "reader";
      hidden.value = option.dataset.id;
      const label = document.createElement("span");
      label.textContent = option.dataset.label;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove";
      remove.dataset.unpick = "";
      remove.setAttribute("aria-label", "×");
      remove.textContent = "×";
      item.append(hidden, label, " ", remove);
      list.append(item);
    }
    const readers = document.querySelector("input[name=source][value=readers]");
    if (readers) readers.checked = true;
    countPicked();
    input.value = "";
    const { list: options } = parts(input);
    if (options) options.replaceChildren();
    show(input, false);
    input.focus();
  }

  document.addEventListener("keydown", (event) => {
    const input = event.target.closest && event.target.closest("[data-reader-picker]");
    if (!input || event.isComposing) return;
    const { list, options } = parts(input);
    const open = list && !list.hidden && options.length > 0;
    const current = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      show(input, true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight(input, current < 0 ? (step > 0 ? 0 : options.length - 1) : Math.max(0, Math.min(options.length - 1, current + step)));
    } else if (event.key === "Enter") {
      if (open && current >= 0) {
        event.preventDefault();
        take(input, options[current]);
      } else if (input.dataset.readerPicker === "add") {
        // Enter in the "add" box never sends the form around it (that would print).
        event.preventDefault();
        if (options.length === 1) take(input, options[0]);
      }
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      show(input, false);
    }
  });
  document.addEventListener("mousedown", (event) => {
    const option = event.target.closest && event.target.closest(".reader-options [role=option]");
    if (!option) return;
    event.preventDefault(); // keep the focus in the input
    const input = document.querySelector('[aria-controls="' + option.parentElement.id + '"]');
    if (input) take(input, option);
  });
  document.addEventListener("focusout", (event) => {
    const input = event.target.closest && event.target.closest("[data-reader-picker]");
    if (input) setTimeout(() => show(input, false), 0);
  });
  document.addEventListener("focusin", (event) => {
    const input = event.target.closest && event.target.closest("[data-reader-picker]");
    if (input && input.value.trim()) show(input, true);
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const list = event.detail.target;
    if (!list.classList || !list.classList.contains("reader-options")) return;
    const input = document.querySelector('[aria-controls="' + list.id + '"]');
    if (!input) return;
    show(input, document.activeElement === input);
    input.removeAttribute("aria-activedescendant");
  });
  document.addEventListener("input", (event) => {
    const input = event.target.closest && event.target.closest("[data-reader-picker]");
    if (input && !input.value.trim()) {
      const { list } = parts(input);
      if (list) list.replaceChildren();
      show(input, false);
    }
  });
  document.addEventListener("click", (event) => {
    const remove = event.target.closest && event.target.closest("[data-unpick]");
    if (remove) {
      remove.closest("li").remove();
      countPicked();
    }
    const grade = event.target.closest && event.target.closest("[data-toggle-grade]");
    if (grade) {
      const boxes = Array.from(grade.parentElement.querySelectorAll("input[type=checkbox]"));
      const all = boxes.every((b) => b.checked);
      boxes.forEach((b) => { b.checked = !all; });
    }
  });

  /* ---- the reader list: tick all, count the ticks ---- */
  document.querySelectorAll("form[data-selection]").forEach((form) => {
    const all = form.querySelector("[data-select-all]");
    const boxes = () => Array.from(form.querySelectorAll('input[type=checkbox][name="reader"]'));
    const counter = form.querySelector("[data-selected-count]");
    const idle = counter ? counter.textContent : "";
    const refresh = () => {
      const n = boxes().filter((b) => b.checked).length;
      if (counter) counter.textContent = n ? counter.dataset.template.replace("N", n) : idle;
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
