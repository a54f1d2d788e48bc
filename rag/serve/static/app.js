// jiqun page: four tabs over the JSON API (no framework, no build step).
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const LEVELS = { national: "国家级", provincial: "省级", municipal: "市级" };
const STAGES = { proposed: "拟认定", recommended: "推荐", recognised: "认定", candidate: "培育对象" };
const titles = {};  // doc_id -> title

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node[k] = v;
  }
  for (const c of children) node.append(c == null ? "" : c);
  return node;
}

async function api(path, options = {}) {
  const res = await fetch(path, options);
  const type = res.headers.get("content-type") || "";
  const body = type.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new Error(body && body.detail ? body.detail : `HTTP ${res.status}`);
  return body;
}

// a table cell that carries its column name (phones show rows as cards with these labels)
const cell = (label, ...content) => el("td", { dataset: { label } }, ...content);

const docPath = (id) => "/api/documents/" + id.split("/").map(encodeURIComponent).join("/");

// --- tabs ------------------------------------------------------------------------------
const loaders = { clusters: loadClusters, lists: loadLists, docs: loadDocs };
function showTab() {
  const name = (location.hash || "#ask").slice(1);
  const tab = loaders[name] || name === "ask" ? name : "ask";
  document.querySelectorAll(".tab").forEach((s) => { s.hidden = s.id !== tab; });
  document.querySelectorAll("#tabs a").forEach((a) => a.classList.toggle("active", a.dataset.tab === tab));
  if (loaders[tab]) loaders[tab]().catch(showError);
}
window.addEventListener("hashchange", showTab);

function showError(err) {
  const visible = $(".tab:not([hidden])");
  const box = el("p", { className: "error", role: "alert", textContent: "出错：" + err.message });
  visible.prepend(box);
  setTimeout(() => box.remove(), 8000);
}

// --- document viewer: the original text, the cited span highlighted ---------------------
async function openDoc(docId, start, end) {
  const doc = await api(docPath(docId));
  const chars = Array.from(doc.original);  // offsets count characters (code points), as in Python
  const text = $("#viewer-text");
  text.textContent = "";
  $("#viewer-title").textContent = doc.title || doc.doc_id;
  $("#viewer-meta").textContent = [doc.doc_id, doc.date, doc.outlet].filter(Boolean).join(" · ");
  let mark = null;
  if (start != null && end != null && end > start) {
    mark = el("mark", { id: "highlight", textContent: chars.slice(start, end).join("") });
    text.append(chars.slice(0, start).join(""), mark, chars.slice(end).join(""));
  } else {
    text.append(doc.original);
  }
  $("#viewer").hidden = false;
  $("#viewer-close").focus();
  if (mark) mark.scrollIntoView({ block: "center" });
  else text.scrollTop = 0;
}
function closeViewer() { $("#viewer").hidden = true; }
$("#viewer-close").addEventListener("click", closeViewer);
$("#viewer").addEventListener("click", (e) => { if (e.target.id === "viewer") closeViewer(); });
document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeViewer(); });

function spanLink(label, docId, start, end, className = "evidence") {
  return el("a", { className, href: "#", dataset: { doc: docId, start, end },
    onclick: (e) => { e.preventDefault(); openDoc(docId, start, end).catch(showError); } }, label);
}

// --- ask ------------------------------------------------------------------------------
$("#ask-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const question = $("#question").value.trim();
  const button = $("#ask-form button");
  const answer = $("#answer");
  const list = $("#citations");
  if (!question) return;
  button.disabled = true;
  answer.className = "";
  answer.textContent = "正在回答…";
  list.textContent = "";
  try {
    const a = await api("/api/ask", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question }) });
    renderAnswer(a);
  } catch (err) {
    answer.className = "error";
    answer.textContent = "出错：" + err.message;
  } finally {
    button.disabled = false;
  }
});

function renderAnswer(a) {
  const answer = $("#answer");
  answer.textContent = "";
  // [n] markers in the answer open citation n
  a.answer.split(/(\[\d+\])/).forEach((part) => {
    const m = part.match(/^\[(\d+)\]$/);
    const c = m && a.citations[Number(m[1]) - 1];
    answer.append(c ? spanLink(part, c.doc_id, c.start, c.end, "cite") : part);
  });
  if (!a.found) answer.append(el("p", { className: "muted", textContent: "（文章中没有找到答案）" }));
  const list = $("#citations");
  a.citations.forEach((c, i) => {
    const head = spanLink(`[${i + 1}] ${titles[c.doc_id] || c.doc_id}`, c.doc_id, c.start, c.end, "cite");
    list.append(el("li", { dataset: { n: i + 1 } }, head,
      el("div", { className: "quote", textContent: "「" + c.text.replace(/\s+/g, " ").trim() + "」" })));
  });
}

// --- clusters -------------------------------------------------------------------------
let clusterRows = [];
let sortKey = null, sortDir = 1;
const filterForm = $("#cluster-filters");

function clusterQuery(format) {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(filterForm)) if (v) params.set(k, v);
  if (format) params.set("format", format);
  const s = params.toString();
  return "/api/clusters" + (s ? "?" + s : "");
}

function fillSelect(select, values, label = (v) => v) {
  const keep = select.value;
  select.length = 1;
  [...new Set(values.filter(Boolean))].sort().forEach((v) => select.append(el("option", { value: v, textContent: label(v) })));
  select.value = keep;
}

async function loadClusters() {
  if (!filterForm.dataset.filled) {
    const all = await api("/api/clusters");
    fillSelect(filterForm.province, all.map((r) => r.province));
    fillSelect(filterForm.level, all.map((r) => r.level), (v) => LEVELS[v] || v);
    fillSelect(filterForm.program, all.map((r) => r.program));
    filterForm.dataset.filled = "1";
  }
  clusterRows = await api(clusterQuery());
  $("#dl-csv").href = clusterQuery("csv");
  $("#dl-xlsx").href = clusterQuery("xlsx");
  renderClusters();
}

function renderClusters() {
  const rows = clusterRows.slice();
  if (sortKey) {
    rows.sort((a, b) => {
      const x = a[sortKey] ?? "", y = b[sortKey] ?? "";
      return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN")) * sortDir;
    });
  }
  const body = $("#cluster-table tbody");
  body.textContent = "";
  for (const r of rows) {
    const sources = cell("出处");
    r.evidence.forEach((ev, i) => {
      if (i) sources.append("、");
      sources.append(spanLink(titles[ev.doc_id] || ev.doc_id, ev.doc_id, ev.start, ev.end));
    });
    body.append(el("tr", {}, cell("名称", r.name), cell("省份", r.province || ""),
      cell("级别", LEVELS[r.level] || r.level || ""), cell("项目", r.program || ""),
      cell("年份", r.year ?? ""), cell("批次", r.batch ?? ""), cell("提及", r.mentions), sources));
  }
  $("#cluster-count").textContent = `共 ${rows.length} 个集群`;
}

document.querySelectorAll("#cluster-table th[data-key]").forEach((th) => th.addEventListener("click", () => {
  sortDir = sortKey === th.dataset.key ? -sortDir : 1;
  sortKey = th.dataset.key;
  document.querySelectorAll("#cluster-table th").forEach((h) => h.classList.remove("asc", "desc"));
  th.classList.add(sortDir > 0 ? "asc" : "desc");
  renderClusters();
}));
let filterTimer = null;
filterForm.addEventListener("input", () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => loadClusters().catch(showError), 200);
});
filterForm.addEventListener("submit", (e) => e.preventDefault());

// --- lists ----------------------------------------------------------------------------
async function loadLists() {
  const lists = await api("/api/lists");
  const box = $("#list-cards");
  box.textContent = "";
  if (!lists.length) box.append(el("p", { className: "muted", textContent: "还没有名单。" }));
  for (const l of lists) {
    const facts = [["发布单位", l.issuer], ["日期", l.date], ["文号", l.doc_number], ["级别", LEVELS[l.level] || l.level],
      ["项目", l.program], ["阶段", STAGES[l.stage] || l.stage], ["年份", l.year], ["批次", l.batch],
      ["数量", l.stated_count != null ? `${l.stated_count}（列出 ${l.members.length}）` : `列出 ${l.members.length}`]];
    const dl = el("dl");
    facts.filter(([, v]) => v != null && v !== "").forEach(([k, v]) => dl.append(el("dt", { textContent: k }), el("dd", { textContent: v })));
    const ol = el("ol");
    l.members.forEach((m) => ol.append(el("li", {}, spanLink(m.name, l.doc_id, m.evidence.start, m.evidence.end))));
    box.append(el("article", { className: "card" }, el("h3", { textContent: l.title || [l.issuer, l.program && l.program + "名单"].filter(Boolean).join(" · ") || l.id }),
      el("p", { className: "muted" }, spanLink(titles[l.doc_id] || l.doc_id, l.doc_id, null, null)), dl, ol));
  }
}

// --- documents ------------------------------------------------------------------------
async function loadTitles() {
  const docs = await api("/api/documents");
  docs.forEach((d) => { titles[d.doc_id] = d.title || d.doc_id; });
  return docs;
}

async function loadDocs() {
  const docs = await loadTitles();
  const body = $("#doc-table tbody");
  body.textContent = "";
  for (const d of docs) {
    const del = el("button", { type: "button", className: "danger", textContent: "删除", onclick: () => removeDoc(d) });
    body.append(el("tr", { dataset: { doc: d.doc_id } }, cell("编号", d.doc_id),
      cell("标题", spanLink(d.title || d.doc_id, d.doc_id, null, null)), cell("日期", (d.date || "").slice(0, 10)),
      cell("分块", d.chunks), cell("集群", d.clusters), cell("", del)));
  }
  if (!docs.length) body.append(el("tr", {}, el("td", { colSpan: 6, className: "muted", textContent: "还没有文档：上传一篇。" })));
}

async function removeDoc(d) {
  if (!confirm(`删除文档「${d.title || d.doc_id}」？`)) return;
  await api(docPath(d.doc_id), { method: "DELETE" }).catch(showError);
  filterForm.dataset.filled = "";
  await loadDocs();
}

function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const form = new FormData();
    form.append("file", file);
    xhr.open("POST", "/api/documents");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((100 * e.loaded) / e.total)); };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new Error(body.detail || `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new Error("网络错误"));
    xhr.send(form);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

$("#upload-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const file = $("#upload-file").files[0];
  const status = $("#upload-status");
  const bar = $("#upload-progress");
  if (!file) return;
  bar.hidden = false;
  bar.value = 0;
  status.className = "";
  status.textContent = `上传中：${file.name}`;
  try {
    let job = await upload(file, (p) => { bar.value = p; });
    while (job.status === "queued" || job.status === "running") {
      status.textContent = `${file.name}：${job.stage}`;
      await sleep(500);
      job = await api(`/api/jobs/${job.id}`);
    }
    if (job.status === "failed") throw new Error(job.detail);
    status.textContent = `${file.name}：已索引（${job.doc_id}）` + (job.detail ? `，${job.detail}` : "");
    $("#upload-form").reset();
    filterForm.dataset.filled = "";
    await loadDocs();
  } catch (err) {
    status.className = "error";
    status.textContent = "出错：" + err.message;
  } finally {
    bar.hidden = true;
  }
});

loadTitles().catch(() => {}).finally(showTab);
