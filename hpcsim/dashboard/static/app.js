// hpcsim dashboard: the live view of hpcsim experiments. Vanilla JS, no framework, no external
// requests; every text from the server is set with textContent, never parsed as HTML.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const SVG_NS = "http://www.w3.org/2000/svg";

// The colour of each status (docs/dashboard.md lists them).
const STATUS_COLOURS = {
  NEW: "#e6a700",
  QUEUED: "#e6a700",
  RUNNING: "#1a73e8",
  COMPLETED: "#188038",
  FAILED: "#d93025",
  TIMEOUT: "#a50e0e",
  NODE_FAIL: "#a50e0e",
  OOM: "#a50e0e",
  CANCELLED: "#80868b",
  NEVER_STARTED: "#3c4043",
};
const OTHER_COLOUR = "#9aa0a6";
const OPS_HISTORY = 300; // ops/s samples kept per database (one per snapshot)
const MAX_CIRCLES = 400; // a line chart marks each point with a circle up to this many points

const state = {
  snapshot: null, // the last snapshot received
  lastUpdate: null, // when it arrived (Date)
  connected: false,
  ops: new Map(), // "exp/db" -> [[epoch seconds, ops/s summed over the shards], ...]
  entityTimer: null, // the entity view's refresh timer
};

// ---- helpers ---------------------------------------------------------------------------------

/** An HTML element with attributes and children (strings become text nodes). */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

/** An SVG element with attributes and children. */
function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

/** Set attributes ("text" sets the text content; null, undefined and false are left out). */
function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, String(value));
  }
}

/** Append children; strings and numbers become text nodes, null and undefined are skipped. */
function append(node, children) {
  for (const child of [].concat(children)) {
    if (child === null || child === undefined) continue;
    node.appendChild(
      typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child,
    );
  }
}

/** A URL of the API with the token and the given query parameters. */
function apiUrl(path, params = {}) {
  const query = new URLSearchParams({ ...params, token: TOKEN });
  return `${path}?${query}`;
}

/** GET an API path; its JSON, or an Error naming the status and the server's message. */
async function getJson(path, params = {}) {
  const response = await fetch(apiUrl(path, params), { cache: "no-store" });
  if (!response.ok) throw new Error(`${response.status} ${(await response.text()).trim()}`);
  return response.json();
}

/** Two digits. */
function pad(n) {
  return String(n).padStart(2, "0");
}

/** Epoch seconds as local HH:MM:SS, or "-". */
function clock(t) {
  if (t === null || t === undefined) return "-";
  const d = new Date(t * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Epoch seconds as local date and time, or "-". */
function dateTime(t) {
  if (t === null || t === undefined) return "-";
  const d = new Date(t * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(t)}`;
}

/** A duration in seconds, readable: "4.2 s", "3 min 5 s", "2 h 10 min". */
function seconds(s) {
  if (s === null || s === undefined) return "-";
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** A byte count in binary units. */
function bytes(n) {
  if (n === null || n === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A number with thousands separators and at most `digits` decimals, or "-". */
function number(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return "-";
  return Number(n).toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** The colour of a status. */
function colour(status) {
  return STATUS_COLOURS[status] || OTHER_COLOUR;
}

/** The name of experiment `exp` (its number on the command line). */
function experimentName(exp) {
  const found = (state.snapshot?.experiments || []).find((e) => e.exp === exp);
  return found ? found.name : `experiment ${exp}`;
}

/** A muted note for a view with nothing to show. */
function empty(text) {
  return el("p", { class: "empty", text });
}

/** A table; the columns from index `numericFrom` on hold numbers (right-aligned). */
function table(headers, rows, attrs = {}, numericFrom = Infinity) {
  return el("table", attrs, [
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        headers.map((h, i) => el("th", { class: i >= numericFrom ? "num" : null, text: h })),
      ),
    ),
    el("tbody", {}, rows),
  ]);
}

/** A small line chart of [[x, y], ...]: axes with min/max labels, a polyline and a circle per point. */
function lineChart(points, { width = 640, height = 240, xLabel = "", yLabel = "", attrs = {} } = {}) {
  const margin = { left: 58, right: 12, top: 10, bottom: 32 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    "data-points": points.length,
    ...attrs,
  });
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const xMin = Math.min(...xs, Infinity);
  const xMax = Math.max(...xs, -Infinity);
  const yMin = Math.min(...ys, Infinity);
  const yMax = Math.max(...ys, -Infinity);
  const spanX = xMax > xMin ? xMax - xMin : 1;
  const spanY = yMax > yMin ? yMax - yMin : Math.abs(yMax) || 1;
  const low = yMax > yMin ? yMin : yMin - spanY / 2;
  const x = (v) => margin.left + ((v - (points.length ? xMin : 0)) / spanX) * plotW;
  const y = (v) => margin.top + plotH - ((v - low) / spanY) * plotH;
  chart.appendChild(svg("rect", { class: "plot", x: margin.left, y: margin.top, width: plotW, height: plotH }));
  if (points.length) {
    const fmt = (v) => (Number.isInteger(v) ? number(v) : number(Number(v.toPrecision(4)), 6));
    const labels = [
      [margin.left - 4, margin.top + 4, "end", fmt(low + spanY)],
      [margin.left - 4, margin.top + plotH, "end", fmt(low)],
      [margin.left, margin.top + plotH + 14, "start", fmt(xMin)],
      [margin.left + plotW, margin.top + plotH + 14, "end", fmt(xMax)],
    ];
    for (const [lx, ly, anchor, text] of labels) {
      chart.appendChild(svg("text", { class: "tick", x: lx, y: ly, "text-anchor": anchor, text }));
    }
    const line = points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ");
    chart.appendChild(svg("polyline", { class: "line", points: line }));
    if (points.length <= MAX_CIRCLES) {
      for (const [px, py] of points) {
        chart.appendChild(
          svg("circle", { class: "point", cx: x(px).toFixed(1), cy: y(py).toFixed(1), r: 2.5 }, [
            svg("title", { text: `${xLabel} ${number(px, 3)}: ${number(py, 6)}` }),
          ]),
        );
      }
    }
  } else {
    chart.appendChild(
      svg("text", {
        class: "tick",
        x: margin.left + plotW / 2,
        y: margin.top + plotH / 2,
        "text-anchor": "middle",
        text: "no data yet",
      }),
    );
  }
  chart.appendChild(
    svg("text", {
      class: "axis-label",
      x: margin.left + plotW / 2,
      y: height - 4,
      "text-anchor": "middle",
      text: xLabel,
    }),
  );
  chart.appendChild(
    svg("text", {
      class: "axis-label",
      x: 12,
      y: margin.top + plotH / 2,
      "text-anchor": "middle",
      transform: `rotate(-90 12 ${margin.top + plotH / 2})`,
      text: yLabel,
    }),
  );
  return chart;
}

/** A colour swatch and name for each status. */
function legend(statuses) {
  return el(
    "div",
    { class: "legend" },
    statuses.map((s) =>
      el("span", { class: "legend-item", "data-status": s }, [
        el("span", { class: "swatch", style: `background:${colour(s)}` }),
        s,
      ]),
    ),
  );
}

// ---- views -----------------------------------------------------------------------------------

/** A stacked bar of [status, count] pairs (counts > 0), with the given attributes. */
function statusBar(counts, attrs) {
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  return el(
    "div",
    attrs,
    counts.map(([status, n]) =>
      el("span", {
        class: "segment",
        "data-status": status,
        "data-count": n,
        title: `${status}: ${n}`,
        style: `width:${(100 * n) / total}%;background:${colour(status)}`,
      }),
    ),
  );
}

/** Job ids are launch number * 1,000,000 + index: every launch (a start) of experiment ``exp``
 * with its jobs' statuses, in order. */
function launches(snap, exp) {
  const byLaunch = new Map();
  for (const job of snap.jobs) {
    if (job.exp !== exp) continue;
    const number = Math.floor(job.id / 1000000);
    const launch = byLaunch.get(number) || { number, submitted: job.submitted, counts: {} };
    launch.submitted = Math.min(launch.submitted, job.submitted);
    launch.counts[job.status] = (launch.counts[job.status] || 0) + 1;
    byLaunch.set(number, launch);
  }
  return [...byLaunch.values()].sort((a, b) => a.number - b.number);
}

/** Every experiment with a stacked bar of its jobs' latest statuses, and one per launch. */
function experimentsView(snap) {
  if (!snap.experiments.length) return [empty("No experiments.")];
  return snap.experiments.map((e) => {
    const counts = Object.entries(e.counts || {}).filter(([, n]) => n > 0);
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    const bar = statusBar(counts, { class: "status-bar", id: `status-bar-${e.exp}` });
    const launchRows = launches(snap, e.exp).map((launch) => {
      const launchCounts = Object.entries(launch.counts);
      const jobs = launchCounts.reduce((sum, [, n]) => sum + n, 0);
      return el("div", { class: "launch", id: `launch-${e.exp}-${launch.number}` }, [
        el("span", {
          class: "launch-label",
          text: `launch ${launch.number} · ${clock(launch.submitted)} · ${jobs} job${jobs === 1 ? "" : "s"}`,
        }),
        statusBar(launchCounts, { class: "status-bar launch-bar" }),
      ]);
    });
    return el("section", { class: "card experiment", id: `exp-${e.exp}`, "data-exp": e.exp }, [
      el("h2", { text: e.name }),
      el("p", { class: "meta" }, [
        el("code", { text: e.path }),
        ` · launcher ${e.launcher} · ${total} job${total === 1 ? "" : "s"}`,
      ]),
      e.error ? el("p", { class: "error", text: e.error }) : null,
      total ? bar : empty("No jobs yet."),
      legend(counts.map(([s]) => s)),
      el(
        "p",
        { class: "counts" },
        counts.map(([status, n]) => el("span", { class: "count", "data-status": status, text: `${status} ${n}` })),
      ),
      launchRows.length ? el("div", { class: "launches" }, launchRows) : null,
    ]);
  });
}

/** A Gantt chart: one row per job, the queue wait apart from the run time, coloured by status. */
function timelineView(snap) {
  const jobs = [...snap.jobs].sort((a, b) => a.submitted - b.submitted || a.exp.localeCompare(b.exp) || a.id - b.id);
  if (!jobs.length) return [empty("No jobs yet.")];
  const now = snap.generated;
  const start = Math.min(...jobs.map((j) => j.submitted));
  const end = Math.max(now, ...jobs.map((j) => j.ended || now));
  const labelW = 220;
  const width = 1100;
  const rowH = 20;
  const top = 24;
  const plotW = width - labelW - 16;
  const span = end > start ? end - start : 1;
  const x = (t) => labelW + ((t - start) / span) * plotW;
  const height = top + jobs.length * rowH + 8;
  const many = snap.experiments.length > 1;
  const chart = svg("svg", { id: "gantt", class: "gantt", viewBox: `0 0 ${width} ${height}`, width, height });
  chart.appendChild(
    svg(
      "defs",
      {},
      svg(
        "pattern",
        { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
        svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "hatch-line" }),
      ),
    ),
  );
  for (let i = 0; i <= 5; i += 1) {
    const t = start + (span * i) / 5;
    chart.appendChild(svg("line", { class: "grid", x1: x(t), y1: top - 4, x2: x(t), y2: height - 8 }));
    chart.appendChild(
      svg("text", {
        class: "tick",
        x: x(t),
        y: 14,
        "text-anchor": i === 0 ? "start" : i === 5 ? "end" : "middle",
        text: i === 0 ? clock(t) : `+${seconds(t - start)}`,
      }),
    );
  }
  jobs.forEach((job, row) => {
    const y = top + row * rowH;
    const waitEnd = job.started ?? job.ended ?? now;
    const runEnd = job.ended ?? now;
    const fill = colour(job.status);
    const label = many ? `${experimentName(job.exp)}: ${job.name}` : job.name;
    const tip = [
      `${label} (${job.kind}, id ${job.id})`,
      job.exit_code === null || job.exit_code === undefined
        ? `status ${job.status}`
        : `status ${job.status}, exit code ${job.exit_code}`,
      job.reason ? `reason: ${job.reason}` : null,
      `submitted ${clock(job.submitted)}, started ${clock(job.started)}, ended ${clock(job.ended)}`,
      `queued ${seconds(waitEnd - job.submitted)}${job.started ? `, ran ${seconds(runEnd - job.started)}` : ""}`,
    ].filter(Boolean);
    const bar = svg(
      "g",
      {
        class: "job-bar",
        "data-name": job.name,
        "data-status": job.status,
        "data-exp": job.exp,
        "data-id": job.id,
        tabindex: 0,
        role: "link",
      },
      [
        svg("title", { text: tip.join("\n") }),
        svg("text", { class: "row-label", x: labelW - 6, y: y + rowH / 2 + 4, "text-anchor": "end", text: label }),
        svg("rect", {
          class: "wait",
          x: x(job.submitted),
          y: y + 3,
          width: Math.max(1, x(waitEnd) - x(job.submitted)),
          height: rowH - 6,
          fill,
          stroke: fill,
        }),
        svg("rect", {
          class: "wait-hatch",
          x: x(job.submitted),
          y: y + 3,
          width: Math.max(1, x(waitEnd) - x(job.submitted)),
          height: rowH - 6,
        }),
        job.started
          ? svg("rect", {
              class: "run",
              x: x(job.started),
              y: y + 3,
              width: Math.max(2, x(runEnd) - x(job.started)),
              height: rowH - 6,
              fill,
            })
          : null,
      ],
    );
    const open = () => {
      location.hash = `#entity/${job.exp}/${job.id}`;
    };
    bar.addEventListener("click", open);
    bar.addEventListener("keydown", (event) => {
      if (event.key === "Enter") open();
    });
    chart.appendChild(bar);
  });
  const statuses = [...new Set(jobs.map((j) => j.status))];
  return [
    el("h2", { text: "Timeline" }),
    el("p", {
      class: "meta",
      text:
        "Light hatched: waiting in the queue (submitted to started). " +
        "Solid: running (started to ended, or now). Click a bar for the job.",
    }),
    legend(statuses),
    el("div", { class: "scroll" }, chart),
  ];
}

/** Per database: cluster state, the shards table, and ops/s over the snapshots received. */
function databasesView(snap) {
  if (!snap.databases.length) return [empty("No databases.")];
  return snap.databases.map((db) => {
    const up = db.shards.filter((s) => s.up);
    const sum = (field) => up.reduce((total, s) => total + (s[field] || 0), 0);
    const rows = db.shards.map((s) =>
      el("tr", { class: s.up ? "shard up" : "shard down", "data-address": s.address }, [
        el("td", {}, el("code", { text: s.address })),
        el("td", { class: "shard-up", text: s.up ? "up" : `down: ${s.error || "unreachable"}` }),
        el("td", { class: "num", text: bytes(s.used_memory) }),
        el("td", { class: "num", text: s.maxmemory ? bytes(s.maxmemory) : s.up ? "no limit" : "-" }),
        el("td", { class: "num shard-keys", text: number(s.keys) }),
        el("td", { class: "num", text: number(s.clients) }),
        el("td", { class: "num", text: number(s.ops_per_sec) }),
      ]),
    );
    rows.push(
      el("tr", { class: "total" }, [
        el("td", { text: "total" }),
        el("td", { text: `${up.length}/${db.shards.length} up` }),
        el("td", { class: "num", text: bytes(sum("used_memory")) }),
        el("td", { class: "num", text: "" }),
        el("td", {
          class: "num",
          id: `db-keys-${db.exp}-${db.name}`,
          "data-keys": sum("keys"),
          text: number(sum("keys")),
        }),
        el("td", { class: "num", text: number(sum("clients")) }),
        el("td", { class: "num", text: number(sum("ops_per_sec")) }),
      ]),
    );
    const history = state.ops.get(`${db.exp}/${db.name}`) || [];
    const points = history.map(([t, ops]) => [t - snap.generated, ops]);
    const slots = db.slots_covered === null ? "?" : number(db.slots_covered);
    const clusterLine = db.cluster
      ? `cluster state ${db.cluster_state || "unknown"} · ${slots}/16384 slots covered`
      : "standalone";
    return el(
      "section",
      { class: "card database", id: `db-${db.exp}-${db.name}`, "data-exp": db.exp, "data-db": db.name },
      [
        el("h2", { text: `${db.name}` }),
        el("p", { class: "meta" }, [
          `${experimentName(db.exp)} · `,
          el("span", {
            class: db.cluster && db.cluster_state !== "ok" ? "cluster-state error" : "cluster-state",
            text: clusterLine,
          }),
        ]),
        table(
          ["address", "state", "memory used", "max memory", "keys", "clients", "ops/s"],
          rows,
          { class: "shards" },
          2,
        ),
        el("h3", { text: "Operations per second (all shards)" }),
        lineChart(points, {
          xLabel: "seconds ago",
          yLabel: "ops/s",
          attrs: { class: "ops-chart", "data-db": db.name, "data-exp": db.exp },
        }),
      ],
    );
  });
}

/** Per database, a table of its models' inference statistics. */
function inferenceView(snap) {
  const withModels = snap.databases.filter((db) => db.inference.length);
  if (!withModels.length)
    return [empty("No inference statistics yet: a model runs on a database's worker when a client calls run_model.")];
  return withModels.map((db) => {
    const rows = db.inference.map((m) =>
      el("tr", { id: `inf-${db.exp}-${db.name}-${m.key}`, "data-key": m.key }, [
        el("td", {}, el("code", { text: m.key })),
        el("td", { class: "num", text: number(m.calls) }),
        el("td", { class: "num", text: number(m.executions) }),
        el("td", { class: "num", text: m.executions ? number(m.calls / m.executions, 2) : "-" }),
        el("td", { class: m.errors ? "num error" : "num", text: number(m.errors) }),
        el("td", { class: "num", text: number(m.samples) }),
        el("td", { class: "num", text: number(m.mean_us, 1) }),
        el("td", { class: "num", text: m.p99_us === null ? "-" : `≤ ${number(m.p99_us)}` }),
      ]),
    );
    return el("section", { class: "card inference", id: `inf-${db.exp}-${db.name}` }, [
      el("h2", { text: `${db.name} · ${experimentName(db.exp)}` }),
      table(
        ["model", "calls", "executions", "calls per execution", "errors", "samples", "mean µs", "p99 µs"],
        rows,
        { class: "models" },
        1,
      ),
    ]);
  });
}

/** One line chart per metric that clients logged with Client.log_metric. */
function trainingView(snap) {
  const charts = [];
  for (const db of snap.databases) {
    for (const [name, points] of Object.entries(db.metrics || {})) {
      const last = points.length ? points[points.length - 1] : null;
      charts.push(
        el("section", { class: "card metric" }, [
          el("h2", { text: name }),
          el("p", {
            class: "meta",
            text:
              `${db.name} · ${experimentName(db.exp)} · ${points.length} points` +
              (last ? ` · last: step ${last[0]}, ${number(last[1], 6)}` : ""),
          }),
          lineChart(points, {
            xLabel: "step",
            yLabel: name,
            attrs: { class: "metric-chart", "data-metric": name, "data-db": db.name, "data-exp": db.exp },
          }),
        ]),
      );
    }
  }
  return charts.length ? charts : [empty("No metrics yet: log them with Client.log_metric(name, step, value).")];
}

// ---- the entity view (its own refresh: entity and tails every second) -------------------------

/** One job: facts, history, settings, script, and its output and error tailed every second. */
function entityView(exp, id) {
  const root = el("div", { class: "entity", id: "entity", "data-exp": exp, "data-id": id }, [
    el("p", { class: "empty", text: "Loading…" }),
  ]);
  const parts = {};
  let built = false;
  const build = (data) => {
    parts.title = el("h2", { id: "entity-name" });
    parts.facts = el("dl", { class: "facts", id: "entity-facts" });
    parts.history = el("tbody");
    parts.settings = el("dl", { class: "facts", id: "entity-settings" });
    parts.script = el("pre", { id: "entity-script", class: "code" });
    parts.out = el("pre", { id: "tail-out", class: "tail" });
    parts.err = el("pre", { id: "tail-err", class: "tail" });
    parts.outSize = el("span", { class: "meta", id: "tail-out-size" });
    parts.errSize = el("span", { class: "meta", id: "tail-err-size" });
    root.replaceChildren(
      el("p", {}, el("a", { href: "#timeline", text: "← timeline" })),
      parts.title,
      el("div", { class: "columns" }, [
        el("section", { class: "card" }, [el("h3", { text: "Job" }), parts.facts]),
        el("section", { class: "card" }, [el("h3", { text: "Settings" }), parts.settings]),
      ]),
      el("section", { class: "card" }, [
        el("h3", { text: "History" }),
        el("table", { class: "history", id: "entity-history" }, [
          el(
            "thead",
            {},
            el(
              "tr",
              {},
              ["status", "exit code", "reason", "time"].map((h) => el("th", { text: h })),
            ),
          ),
          parts.history,
        ]),
      ]),
      el("section", { class: "card" }, [el("h3", {}, ["Output ", parts.outSize]), parts.out]),
      el("section", { class: "card" }, [el("h3", {}, ["Errors ", parts.errSize]), parts.err]),
      el("section", { class: "card" }, [el("h3", { text: "Rendered script" }), parts.script]),
    );
    parts.script.textContent = data.script || "";
    built = true;
  };
  const facts = (dl, pairs) => {
    dl.replaceChildren(
      ...pairs.flatMap(([k, v, key]) => [
        el("dt", { text: k }),
        el("dd", {
          id: key ? `entity-${key}` : null,
          text: v === null || v === undefined || v === "" ? "-" : String(v),
        }),
      ]),
    );
  };
  const showTail = (pre, size, tail) => {
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    if (pre.textContent !== tail.text) pre.textContent = tail.text;
    size.textContent = `(${bytes(tail.size)})`;
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  };
  const refresh = async () => {
    try {
      const data = await getJson(`/api/entity/${encodeURIComponent(exp)}/${encodeURIComponent(id)}`);
      if (!built) build(data);
      const job = data.job;
      parts.title.textContent = `${job.name} · ${experimentName(job.exp)}`;
      const ranFor = job.started ? (job.ended ?? Date.now() / 1000) - job.started : null;
      facts(parts.facts, [
        ["status", job.status, "status"],
        ["exit code", job.exit_code, "exit-code"],
        ["reason", job.reason, "reason"],
        ["kind", job.kind, "kind"],
        ["group", job.group, "group"],
        ["id", job.id, "id"],
        ["submitted", dateTime(job.submitted)],
        ["started", dateTime(job.started)],
        ["ended", dateTime(job.ended)],
        ["run time", seconds(ranFor)],
      ]);
      parts.facts.setAttribute("data-status", job.status);
      facts(
        parts.settings,
        Object.entries(data.settings || {}).map(([k, v]) => [k, v, `setting-${k}`]),
      );
      parts.history.replaceChildren(
        ...data.history.map(([status, code, reason, t]) =>
          el("tr", { "data-status": status }, [
            el("td", { text: status }),
            el("td", { text: code ?? "-" }),
            el("td", { text: reason || "" }),
            el("td", { text: dateTime(t) }),
          ]),
        ),
      );
      const [out, err] = await Promise.all(
        ["out", "err"].map((s) => getJson(`/api/tail/${encodeURIComponent(exp)}/${encodeURIComponent(id)}/${s}`)),
      );
      showTail(parts.out, parts.outSize, out);
      showTail(parts.err, parts.errSize, err);
    } catch (error) {
      if (!built)
        root.replaceChildren(
          el("p", {
            class: "error",
            id: "entity-error",
            text: `Cannot show job ${id} of experiment ${exp}: ${error.message}`,
          }),
        );
    }
  };
  refresh();
  state.entityTimer = setInterval(refresh, 1000);
  return [root];
}

// ---- routing, live updates and the header ------------------------------------------------------

const VIEWS = {
  experiments: experimentsView,
  timeline: timelineView,
  databases: databasesView,
  inference: inferenceView,
  training: trainingView,
};

/** The view and its arguments that the URL's hash names (the experiments for an unknown one). */
function currentRoute() {
  const [view, ...args] = location.hash.replace(/^#/, "").split("/");
  if (view === "entity" && args.length === 2) return { view, args: args.map(decodeURIComponent) };
  return { view: VIEWS[view] ? view : "experiments", args: [] };
}

/** Render the view the hash names; the entity view renders once and refreshes itself. */
function render(fromSnapshot) {
  const route = currentRoute();
  if (fromSnapshot && route.view === "entity") return;
  if (state.entityTimer !== null) {
    clearInterval(state.entityTimer);
    state.entityTimer = null;
  }
  for (const link of document.querySelectorAll("#nav a")) {
    link.classList.toggle("active", link.dataset.view === route.view);
  }
  const main = document.getElementById("view");
  main.setAttribute("data-view", route.view);
  if (route.view === "entity") {
    main.replaceChildren(...entityView(...route.args));
  } else if (state.snapshot) {
    const scroll = window.scrollY;
    main.replaceChildren(...VIEWS[route.view](state.snapshot));
    window.scrollTo(0, scroll);
  }
}

/** The header's live indicator: connected or not, and the time of the last update. */
function showLive() {
  const live = document.getElementById("live");
  const when = state.lastUpdate ? clock(state.lastUpdate.getTime() / 1000) : "never";
  live.setAttribute("data-state", state.connected ? "live" : "down");
  live.textContent = state.connected
    ? `● live · updated ${when}`
    : `● disconnected, reconnecting… · last update ${when}`;
  live.title = state.connected
    ? "receiving updates every second"
    : "the connection to the dashboard dropped; the browser reconnects by itself";
}

/** A snapshot arrived: keep it, add to the ops/s histories, and redraw. */
function receive(snapshot) {
  state.snapshot = snapshot;
  state.lastUpdate = new Date();
  state.connected = true;
  for (const db of snapshot.databases) {
    const key = `${db.exp}/${db.name}`;
    const history = state.ops.get(key) || [];
    const ops = db.shards.filter((s) => s.up).reduce((total, s) => total + (s.ops_per_sec || 0), 0);
    history.push([snapshot.generated, ops]);
    state.ops.set(key, history.slice(-OPS_HISTORY));
  }
  document.getElementById("exp-names").textContent = snapshot.experiments.map((e) => e.name).join(" · ");
  showLive();
  render(true);
}

/** Subscribe to the snapshots; EventSource reconnects by itself when the stream drops. */
function connect() {
  const events = new EventSource(apiUrl("/api/events"));
  events.addEventListener("snapshot", (event) => receive(JSON.parse(event.data)));
  events.addEventListener("open", () => {
    state.connected = true;
    showLive();
  });
  events.addEventListener("error", () => {
    state.connected = false;
    showLive();
  });
}

window.addEventListener("hashchange", () => render(false));
render(false);
connect();
