/* 剔旧: "select all" ticks every copy of the list. */
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach((all) => {
    all.addEventListener("change", () => {
      all.closest("form").querySelectorAll("input[name=item]").forEach((box) => {
        box.checked = all.checked;
      });
    });
  });
})();
