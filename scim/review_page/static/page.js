// The review page (scim/review_page): signed in as the operator page's common.js says, it
// reads the drift report and the review export as JSON and draws them as tables a person
// sorts and filters, with a chart of unused access per account.
"use strict";

const DRIFT_URL = "reports/drift";
const EXPORT_URL = "reports/review?format=json";
// Rows drawn in a table at most: counts and the chart cover every row, the table shows
// the first ROW_LIMIT in the chosen order, so a large export does not freeze the tab.
const ROW_LIMIT = 1000;
const DEFAULT_UNUSED_DAYS = 90; // the chart's threshold while no filter sets one
const CHART = { width: 760, height: 260, left: 48, right: 16, top: 24, bottom: 48 };

const state = { drift: null, export: null, sorts: {} };

function named(thing) {
  // "Production (111122223333)"; an id alone where the snapshot has no name for it.
  if (!thing) return "";
  return thing.name ? `${thing.name} (${thing.id})` : thing.id;
}

function account(row) {
  return row.accountId ? `${row.accountName} (${row.accountId})` : "";
}

function route(row) {
  return row.route === "group" ? `group ${row.groupName}` : row.route;
}

// The cells a person reads, by column key (the `data-key` of each table's headers).
const DRIFT_CELLS = {
  kind: (r) => r.kind,
  principal: (r) => named(r.principal),
  account: (r) => named(r.account),
  permissionSet: (r) => named(r.permissionSet),
  group: (r) => named(r.group),
  grantedAt: (r) => r.grantedAt || "",
  grantedBy: (r) => r.grantedBy || "",
  lastUsed: (r) => r.lastUsed || "",
  why: (r) => r.why,
};
const EXPORT_CELLS = {
  userName: (r) => r.userName,
  displayName: (r) => r.displayName || "",
  userStatus: (r) => r.userStatus,
  account: account,
  permissionSetName: (r) => r.permissionSetName || "",
  applicationName: (r) => r.applicationName || "",
  route: route,
  grantedThrough: (r) => r.grantedThrough,
  lastUsed: (r) => r.lastUsed || "",
  daysUnused: (r) => r.daysUnused,
};

function compare(a, b) {
  // Numbers in order and before words ("unknown"), words as a person sorts them.
  const numeric = typeof a === "number";
  if (numeric !== (typeof b === "number")) return numeric ? -1 : 1;
  if (numeric) return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

function sorted(tableId, rows, cells) {
  const sort = state.sorts[tableId];
  if (!sort) return rows;
  const cell = cells[sort.key];
  const order = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => order * compare(cell(a), cell(b)));
}

function fill(tableId, rows, cells, empty) {
  // The rows in the chosen order, ROW_LIMIT at most; answers how many it drew.
  const table = $(tableId);
  const keys = [...table.querySelectorAll("thead th")].map((th) => th.dataset.key);
  const shown = sorted(tableId, rows, cells).slice(0, ROW_LIMIT);
  const body = table.querySelector("tbody");
  body.replaceChildren(
    ...shown.map((r) => {
      const tr = html("tr");
      for (const key of keys) tr.append(html("td", cells[key](r)));
      return tr;
    }),
  );
  if (shown.length === 0) {
    const td = html("td", empty, "muted");
    td.colSpan = keys.length;
    const tr = html("tr");
    tr.append(td);
    body.append(tr);
  }
  return shown.length;
}

function makeSortable(tableId, redraw) {
  // Each header becomes a button: a first click sorts up, the next down (aria-sort says which).
  const headers = [...$(tableId).querySelectorAll("thead th")];
  for (const th of headers) {
    const button = html("button", th.textContent, "sort");
    button.type = "button";
    th.replaceChildren(button);
    button.addEventListener("click", () => {
      const current = state.sorts[tableId];
      const descending = current !== undefined && current.key === th.dataset.key && !current.descending;
      state.sorts[tableId] = { key: th.dataset.key, descending };
      for (const other of headers) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      redraw();
    });
  }
}

async function read(url) {
  // The JSON answer, or null once the page has said why there is none.
  let answer;
  try {
    answer = await readWithToken(url);
  } catch (error) {
    banner("The service does not answer; reload the page to try again.");
    return null;
  }
  if (answer === null) return null;
  if (!answer.ok) {
    const error = await answer.json().catch(() => ({}));
    banner(`The service answered ${answer.status}${error.detail ? `: ${error.detail}` : ""}.`);
    return null;
  }
  return answer.json();
}

async function load() {
  const drift = await read(DRIFT_URL);
  if (drift === null) return;
  const review = await read(EXPORT_URL);
  if (review === null) return;
  banner(null);
  showSignedIn();
  $("updated").textContent = `read ${new Date(review.generatedAt).toLocaleString()}`;
  state.drift = drift;
  state.export = review;
  drawDrift();
  offerFilters(review.rows);
  drawExport();
}

function snapshot(document) {
  const sync = document.snapshot;
  return sync.syncId === null ? "no snapshot yet" : `the snapshot of sync ${sync.syncId}, synced ${sync.syncedAt}`;
}

function drawDrift() {
  const drift = state.drift;
  $("drift-basis").textContent =
    `From ${snapshot(drift)}; out of band since ${drift.since || "any time"}; ` +
    `unused for more than ${drift.unusedDays} days.`;
  const kinds = $("drift-kinds").querySelector("tbody");
  const choice = $("drift-kind");
  const chosen = choice.value;
  choice.replaceChildren(choice.options[0]);
  kinds.replaceChildren(
    ...drift.kinds.map((kind) => {
      // A kind that cannot be known shows as unknown with its reason, never as 0.
      const tr = html("tr", null, kind.known ? "" : "unknown");
      tr.dataset.kind = kind.kind;
      tr.append(html("td", kind.title), html("td", kind.known ? kind.count : "unknown", "count"));
      tr.append(html("td", kind.unknownReason || "", "reason"));
      const option = html("option", kind.title);
      option.value = kind.kind;
      choice.append(option);
      return tr;
    }),
  );
  choice.value = chosen;
  drawDriftRows();
}

function drawDriftRows() {
  const kind = $("drift-kind").value;
  const rows = state.drift.kinds
    .filter((k) => !kind || k.kind === kind)
    .flatMap((k) => k.rows.map((r) => ({ ...r, kind: k.title })));
  const shown = fill("drift-rows", rows, DRIFT_CELLS, "No drift of this kind.");
  $("drift-count").textContent = counted(shown, rows.length, rows.length, "drift rows");
}

function counted(shown, matching, total, what) {
  const of = matching === total ? `${total} ${what}` : `${matching} of ${total} ${what} match the filters`;
  return shown < matching ? `${of}; showing the first ${shown}` : of;
}

// The export's filters: each a select of the values the rows hold (id -> label), or days.
const FILTERS = [
  { id: "filter-account", value: (r) => r.accountId, label: account },
  { id: "filter-permission-set", value: (r) => r.permissionSetArn, label: (r) => r.permissionSetName },
  { id: "filter-application", value: (r) => r.applicationArn, label: (r) => r.applicationName },
  { id: "filter-group", value: (r) => r.groupId, label: (r) => r.groupName },
];

function offerFilters(rows) {
  for (const filter of FILTERS) {
    const select = $(filter.id);
    const chosen = select.value;
    const values = new Map();
    for (const r of rows) {
      const value = filter.value(r);
      if (value) values.set(value, filter.label(r));
    }
    const options = [...values].sort((a, b) => compare(a[1], b[1]));
    select.replaceChildren(
      select.options[0],
      ...options.map(([value, label]) => {
        const option = html("option", label);
        option.value = value;
        return option;
      }),
    );
    select.value = values.has(chosen) ? chosen : "";
  }
}

function unusedDays() {
  // The days filter as a whole number of days, or null while it holds none.
  const text = $("filter-unused").value.trim();
  return /^[1-9][0-9]*$/.test(text) ? Number(text) : null;
}

function unusedFor(r, days) {
  return typeof r.daysUnused === "number" && r.daysUnused >= days;
}

function drawExport() {
  const rows = state.export.rows;
  const days = unusedDays();
  const routeChoice = $("filter-route").value;
  const chosen = FILTERS.map((f) => [f, $(f.id).value]).filter(([, value]) => value);
  const matching = rows.filter(
    (r) =>
      chosen.every(([f, value]) => f.value(r) === value) &&
      (!routeChoice || r.route === routeChoice) &&
      (days === null || unusedFor(r, days)),
  );
  const exported = state.export;
  $("export-basis").textContent =
    `From ${snapshot(exported)}; ` +
    (exported.lastUseUnknownReason
      ? `last use is unknown: ${exported.lastUseUnknownReason}.`
      : `last use known from ${exported.lastUseKnownFrom}.`);
  const shown = fill("export-rows", matching, EXPORT_CELLS, "No row matches the filters.");
  $("export-count").textContent = counted(shown, matching.length, rows.length, "rows");
  drawChart(rows, days === null ? DEFAULT_UNUSED_DAYS : days);
}

function drawChart(rows, days) {
  // One bar per account the export names: how many of its routes are unused for at least
  // `days` days (every account row, whatever the table's other filters).
  const accounts = new Map();
  for (const r of rows) {
    if (!r.accountId) continue;
    const entry = accounts.get(r.accountId) || { label: account(r), count: 0 };
    if (unusedFor(r, days)) entry.count += 1;
    accounts.set(r.accountId, entry);
  }
  const bars = [...accounts].sort((a, b) => compare(a[1].label, b[1].label));
  $("chart-basis").textContent =
    `Routes (a user's access to an account, directly or through a group) unused for at least ${days} days, per account; ` +
    "the days follow the table's filter, 90 without one.";
  const plot = {
    x: CHART.left,
    y: CHART.top,
    width: CHART.width - CHART.left - CHART.right,
    height: CHART.height - CHART.top - CHART.bottom,
  };
  const most = Math.max(1, ...bars.map(([, entry]) => entry.count));
  const band = plot.width / Math.max(1, bars.length);
  const bottom = plot.y + plot.height;
  const nodes = [
    svg("line", { x1: plot.x, y1: bottom, x2: plot.x + plot.width, y2: bottom, class: "axis" }),
    svg("text", { x: plot.x - 6, y: plot.y + 4, class: "scale", "text-anchor": "end" }, String(most)),
    svg("text", { x: plot.x - 6, y: bottom, class: "scale", "text-anchor": "end" }, "0"),
  ];
  if (bars.length === 0) {
    nodes.push(svg("text", { x: plot.x + plot.width / 2, y: plot.y + plot.height / 2, class: "scale", "text-anchor": "middle" }, "No account access to review"));
  }
  bars.forEach(([id, entry], index) => {
    const x = plot.x + index * band;
    const height = (entry.count / most) * plot.height;
    const bar = svg("rect", {
      x: x + band * 0.15,
      y: bottom - height,
      width: band * 0.7,
      height,
      class: "unused-bar",
      "data-account-id": id,
      "data-count": entry.count,
    });
    bar.append(svg("title", {}, `${entry.label}: ${entry.count} routes unused for at least ${days} days`));
    nodes.push(bar);
    nodes.push(svg("text", { x: x + band / 2, y: bottom - height - 4, class: "count", "text-anchor": "middle" }, String(entry.count)));
    nodes.push(svg("text", { x: x + band / 2, y: bottom + 16, class: "scale label", "text-anchor": "middle" }, entry.label));
  });
  $("unused-chart").replaceChildren(...nodes);
}

document.addEventListener("DOMContentLoaded", () => {
  makeSortable("drift-rows", drawDriftRows);
  makeSortable("export-rows", drawExport);
  $("drift-kind").addEventListener("change", drawDriftRows);
  for (const id of [...FILTERS.map((f) => f.id), "filter-route"]) $(id).addEventListener("change", drawExport);
  $("filter-unused").addEventListener("input", drawExport);
});
startPage(load);
