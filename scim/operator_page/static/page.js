// The operator page (scim/operator_page): signed in as common.js says, it reads
// operator/overview every REFRESH_MS and draws what it answers.
"use strict";

const DATA_URL = "operator/overview";
const REFRESH_MS = 30000;
const CHART = { width: 760, height: 260, left: 84, right: 64, top: 16, bottom: 36 };

let refreshTimer = null;

function seconds(value) {
  // "12.5 s", "4 min 5 s", "3 h 20 min", "2 d 4 h": as precise as a person reads it.
  if (value === null || value === undefined) return "–";
  if (value < 60) return `${Number(value.toFixed(1))} s`;
  const s = Math.round(value);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "–";
}

function percent(share) {
  return share === null || share === undefined ? "–" : `${(share * 100).toFixed(1)} %`;
}

function row(cells, className) {
  const tr = html("tr", null, className);
  for (const cell of cells) tr.append(html("td", cell));
  return tr;
}

function fill(tableId, rows, empty) {
  const body = $(tableId).querySelector("tbody");
  body.replaceChildren(...rows);
  if (rows.length === 0) {
    const columns = $(tableId).querySelectorAll("thead th").length;
    const td = html("td", empty, "muted");
    td.colSpan = columns;
    const tr = html("tr");
    tr.append(td);
    body.append(tr);
  }
}

async function refresh() {
  clearTimeout(refreshTimer);
  let answer;
  try {
    answer = await readWithToken(DATA_URL);
  } catch (error) {
    banner("The service does not answer; retrying.");
    refreshTimer = setTimeout(refresh, REFRESH_MS);
    return;
  }
  if (answer === null) return;
  if (!answer.ok) {
    banner(`The service answered ${answer.status}; retrying.`);
  } else {
    banner(null);
    draw(await answer.json());
  }
  refreshTimer = setTimeout(refresh, REFRESH_MS);
}

function draw(data) {
  showSignedIn();
  $("updated").textContent = `updated ${when(data.generated_at)}`;
  drawReadiness(data.readiness);
  drawWrites(data.writes);
  drawFeed(data.readiness.change_feed);
  drawChart(data.syncs);
  drawSyncTable(data.syncs);
  drawQuotas(data.quotas);
}

function drawReadiness(ready) {
  $("ready").textContent = ready.ready ? "ready" : "not ready";
  $("readiness-card").className = `card ${ready.ready ? "good" : "bad"}`;
  $("problems").replaceChildren(...ready.problems.map((problem) => html("li", problem)));
  const snapshot = ready.snapshot;
  $("snapshot-age").textContent = snapshot ? seconds(snapshot.age_seconds) : "none served yet";
  $("snapshot-detail").textContent = snapshot
    ? `sync ${snapshot.sync_id}, ended ${when(snapshot.finished_at)}`
    : "the first sync has not finished";
}

function drawWrites(writes) {
  const inFlight = writes.counts.accepted + writes.counts.in_progress;
  $("writes-in-flight").textContent = inFlight;
  $("writes-failed").textContent = writes.counts.failed;
  fill(
    "in-flight",
    writes.in_flight.map((op) =>
      row([op.id, when(op.created_at), op.status, op.action, resource(op), op.token_name]),
    ),
    "No write is in flight.",
  );
  fill(
    "failed",
    writes.failed.map((op) =>
      row([op.id, when(op.created_at), op.action, resource(op), op.token_name, op.error]),
    ),
    "No write has failed.",
  );
}

function resource(op) {
  return op.resource_id ? `${op.resource_type} ${op.resource_id}` : op.resource_type;
}

function drawFeed(feed) {
  if (!feed) {
    $("feed-lag").textContent = "no change feed";
    $("feed-detail").textContent = "IDCC_CHANGE_SOURCE is none: full syncs only";
    return;
  }
  $("feed-lag").textContent = feed.lag_seconds === null ? "nothing read yet" : seconds(feed.lag_seconds);
  const parts = [`${feed.source}, bound ${seconds(feed.max_lag_seconds)}`];
  if (feed.behind) parts.push("behind its bound");
  parts.push(`last batch ${when(feed.last_batch_at)}`);
  if (feed.failure) parts.push(`failing since ${when(feed.failing_since)}: ${feed.failure}`);
  $("feed-detail").textContent = parts.join("; ");
}

function drawChart(syncs) {
  const chart = $("sync-chart");
  const plot = {
    x: CHART.left,
    y: CHART.top,
    width: CHART.width - CHART.left - CHART.right,
    height: CHART.height - CHART.top - CHART.bottom,
  };
  const nodes = [];
  const longest = Math.max(1, ...syncs.map((s) => s.duration_seconds));
  const most = Math.max(1, ...syncs.map((s) => s.calls || 0));
  const band = plot.width / Math.max(1, syncs.length);
  const bottom = plot.y + plot.height;
  nodes.push(svg("line", { x1: plot.x, y1: bottom, x2: plot.x + plot.width, y2: bottom, class: "axis" }));
  nodes.push(svg("text", { x: plot.x - 6, y: plot.y + 4, class: "scale", "text-anchor": "end" }, seconds(longest)));
  nodes.push(svg("text", { x: plot.x - 6, y: bottom, class: "scale", "text-anchor": "end" }, "0 s"));
  nodes.push(svg("text", { x: plot.x + plot.width + 6, y: plot.y + 4, class: "scale" }, `${most} calls`));
  if (syncs.length === 0) {
    nodes.push(svg("text", { x: plot.x + plot.width / 2, y: plot.y + plot.height / 2, class: "scale", "text-anchor": "middle" }, "No sync recorded yet"));
  }
  const points = [];
  syncs.forEach((sync, index) => {
    const x = plot.x + index * band;
    const height = Math.max(1, (sync.duration_seconds / longest) * plot.height);
    const bar = svg("rect", {
      x: x + band * 0.15,
      y: bottom - height,
      width: band * 0.7,
      height,
      class: `sync-bar outcome-${sync.outcome}`,
      "data-sync-id": sync.id,
      "data-outcome": sync.outcome,
      "data-duration": sync.duration_seconds,
    });
    bar.append(svg("title", {}, describe(sync)));
    nodes.push(bar);
    if (sync.calls !== null && sync.calls !== undefined) {
      const cy = bottom - (sync.calls / most) * plot.height;
      points.push(`${x + band / 2},${cy}`);
      const dot = svg("circle", { cx: x + band / 2, cy, r: 4, class: "calls-point", "data-sync-id": sync.id, "data-calls": sync.calls });
      dot.append(svg("title", {}, `sync ${sync.id}: ${sync.calls} AWS calls`));
      nodes.push(dot);
    }
    nodes.push(svg("text", { x: x + band / 2, y: bottom + 16, class: "scale", "text-anchor": "middle" }, `#${sync.id}`));
  });
  if (points.length > 1) nodes.splice(1, 0, svg("polyline", { points: points.join(" "), class: "calls-line" }));
  chart.replaceChildren(...nodes);
}

function describe(sync) {
  const calls = sync.calls === null ? "no calls recorded" : `${sync.calls} AWS calls`;
  return `sync ${sync.id}: ${sync.outcome}, ${seconds(sync.duration_seconds)}, ${calls}, started ${when(sync.started_at)}`;
}

function drawSyncTable(syncs) {
  fill(
    "syncs",
    [...syncs].reverse().map((s) =>
      row(
        [`#${s.id}`, when(s.started_at), seconds(s.duration_seconds), s.calls ?? "–", s.throttles ?? "–", s.outcome, s.error || ""],
        `outcome-${s.outcome}`,
      ),
    ),
    "No sync recorded yet.",
  );
}

function drawQuotas(quotas) {
  $("quota-basis").textContent =
    quotas.sync_id === null
      ? "No sync has ended yet: no AWS calls are recorded."
      : `Average over sync #${quotas.sync_id} (${seconds(quotas.seconds)}): the calls it made against the pace the connector keeps to, at or under AWS's quota.`;
  fill(
    "quotas",
    quotas.quotas.map((q) => {
      const tr = row([
        q.quota,
        `${q.pace_per_second}/s${q.per_operation ? " per operation" : ""} (${q.setting})`,
        q.calls,
        q.busiest_operation || "",
        q.throttles,
      ]);
      tr.dataset.quota = q.quota;
      const used = q.note ? `${percent(q.share)} by syncs; ${q.note}` : percent(q.share);
      const use = html("td", used, "use");
      tr.append(use);
      return tr;
    }),
    "",
  );
}

startPage(refresh);
