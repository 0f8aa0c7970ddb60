// Draws the lineage graph from the JSON in #lineage-data: a layered DAG, left to right, in SVG.
// Column = longest path from a source, so every edge points right; rows are ordered by the mean
// position of each node's neighbours (a few sweeps), which keeps most edges short and uncrossed.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const NODE_W = 224, NODE_H = 38, COL_GAP = 56, ROW_GAP = 12, PAD = 24, TOP = 34;
  const data = JSON.parse(document.getElementById("lineage-data").textContent);
  const stageIndex = new Map(data.stages.map((s, i) => [s.id, i]));
  const nodes = new Map(data.nodes.map((n) => [n.id, Object.assign({ ups: [], downs: [] }, n)]));
  for (const e of data.edges) {
    nodes.get(e.from).downs.push(e.to);
    nodes.get(e.to).ups.push(e.from);
  }

  // columns: longest path from any source (the graph is acyclic; `visiting` guards bad input)
  const layer = new Map(), visiting = new Set();
  function depth(id) {
    if (layer.has(id)) return layer.get(id);
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const ups = nodes.get(id).ups;
    const d = ups.length ? 1 + Math.max(...ups.map(depth)) : 0;
    visiting.delete(id);
    layer.set(id, d);
    return d;
  }
  nodes.forEach((_, id) => depth(id));
  const columns = [];
  nodes.forEach((n, id) => { (columns[layer.get(id)] ||= []).push(id); });
  const byStage = (a, b) => (stageIndex.get(nodes.get(a).stage) - stageIndex.get(nodes.get(b).stage))
    || nodes.get(a).label.localeCompare(nodes.get(b).label);
  columns.forEach((col) => col.sort(byStage));

  // rows: barycenter sweeps, forwards on upstreams then backwards on downstreams
  const rowOf = new Map();
  const number = () => columns.forEach((col) => col.forEach((id, i) => rowOf.set(id, i)));
  const mean = (ids, fallback) => ids.length ? ids.reduce((s, x) => s + rowOf.get(x), 0) / ids.length : fallback;
  number();
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let c = 1; c < columns.length; c++) {
      columns[c].sort((a, b) => mean(nodes.get(a).ups, rowOf.get(a)) - mean(nodes.get(b).ups, rowOf.get(b)));
      number();
    }
    for (let c = columns.length - 2; c >= 0; c--) {
      columns[c].sort((a, b) => mean(nodes.get(a).downs, rowOf.get(a)) - mean(nodes.get(b).downs, rowOf.get(b)));
      number();
    }
  }

  const tallest = Math.max(...columns.map((col) => col.length));
  const height = TOP + PAD * 2 + tallest * (NODE_H + ROW_GAP);
  const width = PAD * 2 + columns.length * (NODE_W + COL_GAP) - COL_GAP;
  const pos = new Map();
  columns.forEach((col, c) => {
    const offset = ((tallest - col.length) * (NODE_H + ROW_GAP)) / 2;
    col.forEach((id, r) => pos.set(id, { x: PAD + c * (NODE_W + COL_GAP), y: TOP + PAD + offset + r * (NODE_H + ROW_GAP) }));
  });

  const el = (name, attrs, parent) => {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  };
  const svg = el("svg", { width, height, viewBox: `0 0 ${width} ${height}`, id: "graph" });
  columns.forEach((col, c) => {
    const stages = [...new Set(col.map((id) => nodes.get(id).stage))];
    const title = el("text", { class: "column-title", x: PAD + c * (NODE_W + COL_GAP), y: TOP }, svg);
    title.textContent = stages.map((s) => data.stages[stageIndex.get(s)].label).join(" / ");
  });

  const edgeEls = [];
  const edgeLayer = el("g", { id: "edges" }, svg);
  for (const e of data.edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2, mid = (x1 + x2) / 2;
    const path = el("path", {
      class: `edge ${e.origin}`, d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`,
      "data-from": e.from, "data-to": e.to,
    }, edgeLayer);
    edgeEls.push(path);
  }

  const nodeEls = new Map();
  const nodeLayer = el("g", { id: "nodes" }, svg);
  nodes.forEach((n, id) => {
    const p = pos.get(id);
    const g = el("g", { class: `node ${n.kind} stage-${n.stage}`, id, "data-urn": n.urn,
      transform: `translate(${p.x},${p.y})`, tabindex: "0" }, nodeLayer);
    el("rect", { width: NODE_W, height: NODE_H }, g);
    el("rect", { class: "band", width: 6, height: NODE_H, fill: `var(--${n.stage}, #999)` }, g);
    const label = el("text", { x: 12, y: 16 }, g);
    label.textContent = n.label.length > 30 ? n.label.slice(0, 29) + "…" : n.label;
    const sub = el("text", { class: "sub", x: 12, y: 31 }, g);
    sub.textContent = `${n.kind === "job" ? "job · " : ""}${n.platform}`;
    el("title", {}, g).textContent = `${n.label}\n${n.urn}`;
    g.addEventListener("click", () => select(id));
    g.addEventListener("keydown", (ev) => { if (ev.key === "Enter") select(id); });
    g.addEventListener("mouseenter", () => trace(id));
    g.addEventListener("mouseleave", () => trace(null));
    nodeEls.set(id, g);
  });
  const canvas = document.getElementById("canvas");
  canvas.appendChild(svg);

  // "fit" scales the drawing to the window's width (never up); "actual" shows it 1:1 with scrollbars
  function fit(toWindow) {
    const scale = toWindow ? Math.min(1, (canvas.clientWidth - 20) / width) : 1;
    svg.setAttribute("width", Math.round(width * scale));
    svg.setAttribute("height", Math.round(height * scale));
  }
  document.getElementById("fit").addEventListener("click", () => fit(true));
  document.getElementById("actual").addEventListener("click", () => fit(false));
  fit(true);

  function walk(id, key) {
    const seen = new Set([id]), todo = [id];
    while (todo.length) for (const next of nodes.get(todo.pop())[key]) if (!seen.has(next)) { seen.add(next); todo.push(next); }
    return seen;
  }
  function trace(id) {
    const ups = id ? walk(id, "ups") : new Set(), downs = id ? walk(id, "downs") : new Set();
    const on = (set, p) => set.has(p.dataset.from) && set.has(p.dataset.to);
    nodeEls.forEach((g, key) => g.classList.toggle("lit", key !== id && (ups.has(key) || downs.has(key))));
    edgeEls.forEach((p) => p.classList.toggle("lit", on(ups, p) || on(downs, p)));
  }

  const details = document.getElementById("details");
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
  const links = (ids) => ids.length ? `<ul>${ids.map((x) => `<li><a data-go="${esc(x)}">${esc(nodes.get(x).label)}</a></li>`).join("")}</ul>` : "<p class=\"hint\">none</p>";
  function select(id) {
    const n = nodes.get(id);
    nodeEls.forEach((g, key) => g.classList.toggle("selected", key === id));
    const cols = n.columns.length
      ? `<h3>Schema (${n.columns.length} fields)</h3><table>${n.columns.map(([name, type, key]) =>
        `<tr><td>${esc(name)}${key ? " <b class=\"pk\">key</b>" : ""}</td><td>${esc(type)}</td></tr>`).join("")}</table>`
      : "";
    details.hidden = false;
    details.innerHTML = `<button class="close" type="button" aria-label="Close">×</button><h2>${esc(n.label)}</h2><p><code>${esc(n.id)}</code></p>
      <p><b>URN</b><br><code>${esc(n.urn)}</code></p>
      <p><b>${n.kind === "job" ? "Job" : "Dataset"}</b> · ${esc(n.platform)} · ${esc(data.stages[stageIndex.get(n.stage)].label)}</p>
      <p>${esc(n.description)}</p><h3>Upstreams</h3>${links(n.ups)}<h3>Downstreams</h3>${links(n.downs)}${cols}`;
    details.querySelector(".close").addEventListener("click", () => {
      details.hidden = true;
      nodeEls.forEach((g) => g.classList.remove("selected"));
    });
    details.querySelectorAll("a[data-go]").forEach((a) => a.addEventListener("click", () => {
      select(a.dataset.go);
      nodeEls.get(a.dataset.go).scrollIntoView({ block: "center", inline: "center" });
    }));
  }

  document.getElementById("search").addEventListener("input", (ev) => {
    const q = ev.target.value.trim().toLowerCase();
    nodes.forEach((n, id) => {
      const hit = !q || [n.label, n.id, n.urn, n.platform].some((s) => s.toLowerCase().includes(q));
      nodeEls.get(id).classList.toggle("dim", !hit);
    });
  });

  const legend = document.getElementById("legend");
  for (const s of data.stages) {
    const li = document.createElement("li");
    li.innerHTML = `<i style="background: var(--${s.id})"></i>${esc(s.label)}`;
    legend.appendChild(li);
  }
  const li = document.createElement("li");
  li.innerHTML = "<svg width=\"26\" height=\"8\"><path class=\"edge dbt\" d=\"M0,4 H26\"/></svg>dbt dependency";
  legend.appendChild(li);
  document.getElementById("counts").textContent =
    `${data.nodes.filter((n) => n.kind === "dataset").length} datasets · ${data.nodes.filter((n) => n.kind === "job").length} jobs · ${data.edges.length} edges`;
  // a link to page.html#<node id> opens with that node selected
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (nodes.has(wanted)) select(wanted);
  document.body.dataset.rendered = String(nodes.size);
})();
