/* 校图 采编: drop a file on the upload box, see the upload's progress, confirm only once, and see a column's
 * field in the sample table as the mapping changes. Every page works without this file too. */
(function () {
  "use strict";

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1) + " MB";
    if (bytes >= 1024) return (bytes / 1024).toFixed(1) + " KB";
    return bytes + " B";
  }

  function setUpDropzone(root) {
    root.querySelectorAll("[data-dropzone]").forEach(function (zone) {
      if (zone.dataset.ready) return;
      zone.dataset.ready = "1";
      const input = zone.querySelector("input[type=file]");
      const name = zone.querySelector("[data-file-name]");
      const form = zone.closest("form");
      const max = Number(form && form.dataset.maxBytes) || 0;
      const button = form && form.querySelector("[data-submit]");
      if (!input) return;

      function show() {
        const file = input.files && input.files[0];
        zone.classList.toggle("has-file", !!file);
        const tooBig = !!file && max > 0 && file.size > max;
        zone.classList.toggle("too-big", tooBig);
        if (name) {
          name.textContent = file
            ? file.name + "（" + sizeText(file.size) + "）" + (tooBig ? " — " + zone.dataset.tooBig : "")
            : "";
        }
        if (button) button.disabled = tooBig;
      }

      input.addEventListener("change", show);
      ["dragenter", "dragover"].forEach(function (type) {
        zone.addEventListener(type, function (event) {
          event.preventDefault();
          zone.classList.add("over");
        });
      });
      ["dragleave", "drop"].forEach(function (type) {
        zone.addEventListener(type, function () {
          zone.classList.remove("over");
        });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          show();
        }
      });
      show();
    });
  }

  function setUpMapping(root) {
    const form = root.querySelector("[data-mapping]");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    const heads = Array.from(document.querySelectorAll("[data-column-field]"));
    function paint() {
      const taken = {};
      form.querySelectorAll("select[data-field]").forEach(function (select) {
        select.classList.toggle("mapped", select.value !== "");
        if (select.value !== "") taken[select.value] = select.closest(".map-row").dataset.label;
      });
      heads.forEach(function (head) {
        head.textContent = taken[head.dataset.columnField] || "";
      });
    }
    form.addEventListener("change", paint);
    paint();
  }

  function setUp(root) {
    setUpDropzone(root);
    setUpMapping(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUp(document);
  });

  document.addEventListener("htmx:load", function (event) {
    setUp(event.target);
  });

  // The upload's own progress, while the file travels to the server.
  document.addEventListener("htmx:xhr:progress", function (event) {
    const bar = document.getElementById("upload-progress");
    const detail = event.detail;
    if (bar && detail.lengthComputable) {
      bar.max = detail.total;
      bar.value = detail.loaded;
      const text = document.getElementById("upload-percent");
      if (text) text.textContent = Math.floor((detail.loaded * 100) / detail.total) + "%";
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.target.closest && event.target.closest("form[data-upload]");
    if (!form) return;
    const sending = form.querySelector(".sending");
    if (sending) sending.hidden = false;
    const button = form.querySelector("[data-submit]");
    if (button) button.disabled = true;
  });

  // 确认导入 is sent once: the server refuses a second confirm anyway, this spares the librarian the message.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches || !form.matches("form[data-once]")) return;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    form.querySelectorAll("button").forEach(function (button) {
      setTimeout(function () {
        button.disabled = true;
      }, 0);
    });
  });
})();
