(() => {
  const table = document.getElementById("papers-table");
  const headers = [...table.tHead.rows[0].cells];
  const box = document.getElementById("filter");
  const decision = document.getElementById("decision-filter");
  const flag = document.getElementById("flag-filter");
  const shown = document.getElementById("shown");
  const empty = document.getElementById("no-match");

  function key(body, col, numeric) {
    const cell = body.rows[0].cells[col];
    const raw = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
    if (!numeric) return raw.toLowerCase();
    const n = parseFloat(raw);
    return Number.isNaN(n) ? null : n;
  }

  function sortBy(th) {
    const col = th.cellIndex;
    const numeric = th.dataset.type === "num";
    const dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    headers.forEach((h) => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", dir);
    const sign = dir === "ascending" ? 1 : -1;
    const bodies = [...table.tBodies];
    bodies.sort((a, b) => {
      const x = key(a, col, numeric), y = key(b, col, numeric);
      if (x === null || y === null) return x === y ? 0 : (x === null ? 1 : -1);
      return (x < y ? -1 : x > y ? 1 : 0) * sign || a.dataset.index - b.dataset.index;
    });
    bodies.forEach((b) => table.appendChild(b));
  }

  function applyFilter() {
    const q = box.value.trim().toLowerCase();
    const d = decision.value, f = flag.value;
    let count = 0;
    for (const body of table.tBodies) {
      const flags = body.dataset.flags ? body.dataset.flags.split(" ") : [];
      const ok = (!q || body.dataset.search.includes(q))
        && (!d || body.dataset.decision === d)
        && (!f || (f === "*" ? flags.length > 0 : flags.includes(f)));
      body.hidden = !ok;
      count += ok ? 1 : 0;
    }
    shown.textContent = count + " of " + table.tBodies.length + " shown";
    empty.hidden = count > 0;
  }

  function toggle(body, open) {
    const button = body.querySelector("button.toggle");
    const detail = body.rows[1];
    const next = open === undefined ? detail.hidden : open;
    detail.hidden = !next;
    button.setAttribute("aria-expanded", String(next));
    button.textContent = next ? "\u25BE" : "\u25B8";
  }

  headers.forEach((th) => {
    const button = th.querySelector("button.sort");
    if (button) button.addEventListener("click", () => sortBy(th));
  });
  for (const body of table.tBodies) {
    body.querySelector("button.toggle").addEventListener("click", () => toggle(body));
    body.querySelector(".title").addEventListener("click", () => toggle(body));
  }
  document.getElementById("expand-all").addEventListener("click", () => {
    for (const body of table.tBodies) if (!body.hidden) toggle(body, true);
  });
  document.getElementById("collapse-all").addEventListener("click", () => {
    for (const body of table.tBodies) toggle(body, false);
  });
  [box, decision, flag].forEach((el) => el.addEventListener("input", applyFilter));
  applyFilter();
})();
