"""The video grid as one keyboard widget (WAI-ARIA's grid pattern), by a script attached once to the table.

Before, every row's checkbox, link and admin buttons was a Tab stop: some five a row, 250 on a page of 50,
so Tab never reached the pager. Now the table (`role="grid"`, header row included) is one Tab stop with a
roving tabindex: one item at a time has `tabindex="0"` (the last one focused, by keyboard or mouse), the
others -1, and Tab leaves the grid for the next control. An item is a cell's control (the checkbox, the
video's link, a sort button, each of the admin cell's three) or the cell itself when it has none (a text,
a badge, a time; such a cell is focusable only while it is the active item, so clicks on text are as
before). The keys:

- Left/Right: the previous/next item of the row (the admin cell's controls one by one);
- Up/Down: the same cell of the row above/below (the header row is the first row);
- Home/End: the row's first/last item; Ctrl+Home/Ctrl+End: the grid's first/last item;
- Page Up/Page Down: a screenful of rows (as many as the grid's scroll area shows) up or down;
- Enter, Space: activate the focused control: buttons and switches as always, a link opens with Space too,
  and a checkbox toggles with Enter too (Radix's checkbox ignores Enter).

The rows change under the script (a new page, a sort, the live refresh): a MutationObserver on the table
keeps one item tabbable, the same position when the active item is gone. The script also puts on the table
the grid's `aria-rowcount` (the rows of the whole result, which the root carries as `data-aria-rowcount`):
Radix's table takes no props of its own. Keys are read on the table itself,
before React's handlers at the root, so that Enter on a checkbox is a click and not Radix's no-op.
"""

from __future__ import annotations

import json

import reflex as rx

GRID_ID = "video-grid"

_SCRIPT = """(() => {
  const root = document.getElementById(GRID_ID);
  const table = root && root.querySelector("table");
  if (!table || table.catalogGridKeys) return;
  table.catalogGridKeys = true;
  table.setAttribute("role", "grid");
  table.setAttribute("aria-label", "Videos");
  // The root's data-aria-* attributes (the rows of the whole result) are the table's aria-* ones.
  const mirror = () => {
    for (const name of ["aria-rowcount"]) {
      const value = root.getAttribute("data-" + name);
      if (value === null) table.removeAttribute(name); else table.setAttribute(name, value);
    }
  };
  new MutationObserver(mirror).observe(root, {attributes: true, attributeFilter: ["data-aria-rowcount"]});
  mirror();
  const CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea";
  const itemsOf = (cell) => {
    const controls = Array.from(cell.querySelectorAll(CONTROLS)).filter(
      (control) => !control.disabled && !control.closest("[aria-hidden=true]"));
    return controls.length ? controls : [cell];
  };
  const positionOf = (element) => {
    const cell = element && element.closest && element.closest("td, th");
    if (!cell || !table.contains(cell)) return null;
    const items = itemsOf(cell);
    return {row: Array.from(table.rows).indexOf(cell.parentElement), cell: cell.cellIndex,
            item: Math.max(0, items.findIndex((item) => item === element || item.contains(element)))};
  };
  const clamp = (value, length) => Math.max(0, Math.min(value, length - 1));
  const itemAt = (row, cell, item) => {
    const rows = table.rows;
    if (!rows.length) return null;
    const cells = rows[clamp(row, rows.length)].cells;
    if (!cells.length) return null;
    const items = itemsOf(cells[clamp(cell, cells.length)]);
    return items[clamp(item, items.length)];
  };
  let active = null;
  let where = null;  // the position of the item focused last, once one was
  let chosen = false;
  const rest = (item) => {
    if (item.matches("td, th")) item.removeAttribute("tabindex"); else item.setAttribute("tabindex", "-1");
  };
  const activate = (item) => {
    if (active && active !== item && active.isConnected) rest(active);
    active = item;
    where = positionOf(item) || where;
    chosen = true;
    item.setAttribute("tabindex", "0");
  };
  // Every item but the active one out of the Tab order. Until an item was focused, the active one is the
  // first data row's first (the header's while the rows are still loading); later, the one focused last,
  // or the item in its place when it is gone.
  const sync = () => {
    if (!chosen) {
      const body = table.tBodies[0];
      const next = itemAt(body && body.rows.length ? table.rows.length - body.rows.length : 0, 0, 0);
      if (active && active !== next && active.isConnected) rest(active);
      active = next;
    } else if (!(active && active.isConnected && table.contains(active))) {
      active = where ? itemAt(where.row, where.cell, where.item) : itemAt(0, 0, 0);
    }
    for (const cell of table.querySelectorAll("td, th")) {
      if (cell !== active) cell.removeAttribute("tabindex");
      for (const item of itemsOf(cell)) if (item !== active && item !== cell) item.setAttribute("tabindex", "-1");
    }
    if (active) active.setAttribute("tabindex", "0");
  };
  new MutationObserver(sync).observe(table, {childList: true, subtree: true});
  sync();
  table.addEventListener("focusin", (event) => {
    const cell = event.target.closest("td, th");
    const item = cell && itemsOf(cell).find((each) => each === event.target || each.contains(event.target));
    if (item) activate(item);
  });
  // The rows the scroll area shows, less one, so that the row focused last stays in sight.
  const screenful = () => {
    const viewport = table.closest(".rt-ScrollAreaViewport");
    const body = table.tBodies[0];
    const height = body && body.rows.length ? body.rows[0].offsetHeight : 0;
    return viewport && height ? Math.max(1, Math.floor(viewport.clientHeight / height) - 1) : 10;
  };
  table.addEventListener("keydown", (event) => {
    if (event.altKey || event.metaKey || event.defaultPrevented) return;
    const here = positionOf(event.target);
    if (!here || here.row < 0) return;
    const end = Number.MAX_SAFE_INTEGER;
    const control = event.target;
    if (control.matches("input, textarea, select")) return;  // keys of a field typed into are its own
    let target = null;
    switch (event.key) {
      case "ArrowRight": {
        const items = itemsOf(control.closest("td, th"));
        target = here.item + 1 < items.length ? items[here.item + 1] : itemAt(here.row, here.cell + 1, 0);
        break;
      }
      case "ArrowLeft":
        target = here.item > 0 ? itemAt(here.row, here.cell, here.item - 1)
          : itemAt(here.row, here.cell - 1, here.cell > 0 ? end : 0);
        break;
      case "ArrowDown": target = itemAt(here.row + 1, here.cell, here.item); break;
      case "ArrowUp": target = itemAt(here.row - 1, here.cell, here.item); break;
      case "PageDown": target = itemAt(here.row + screenful(), here.cell, here.item); break;
      case "PageUp": target = itemAt(here.row - screenful(), here.cell, here.item); break;
      case "Home": target = event.ctrlKey ? itemAt(0, 0, 0) : itemAt(here.row, 0, 0); break;
      case "End": target = event.ctrlKey ? itemAt(end, end, end) : itemAt(here.row, end, end); break;
      case "Enter":
        if (control.getAttribute("role") === "checkbox") { event.preventDefault(); control.click(); }
        return;
      case " ":
        if (control.matches("a[href]")) { event.preventDefault(); control.click(); }
        else if (control.matches("td, th")) event.preventDefault();  // not a scroll of the page
        return;
      default:
        return;
    }
    event.preventDefault();
    if (target) { activate(target); target.focus(); }
  });
})"""

GRID_KEYS = rx.vars.FunctionStringVar.create(_SCRIPT.replace("GRID_ID", json.dumps(GRID_ID)))
"""The table's `on_mount`: makes the grid one Tab stop that arrow keys move in (see the module's doc)."""
