/* Progressive enhancement only: the site works without this file.
   On narrow screens the filter panel starts closed so the results are visible without
   scrolling past every facet; active filters are listed above the results. Without
   JavaScript the panel simply stays open. */
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 59.99rem)").matches) {
    return;
  }
  document.querySelectorAll("[data-filter-panel]").forEach(function (panel) {
    panel.removeAttribute("open");
  });
})();
