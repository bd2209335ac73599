// Vigie pages: review keyboard, media reveal, add-to-case, charts, network graph.
// No inline scripts (the Content-Security-Policy forbids them): data comes in
// <script type="application/json"> blocks and is parsed here.
"use strict";

function jsonData(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

function typing(event) {
  const t = event.target;
  return t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)
    && !(t.type === "checkbox" || t.type === "radio"));
}

// --- review queue -------------------------------------------------------------------------
// Keyboard decisions are posted with fetch and the returned card swapped in here, so a key
// pressed right after a swap never depends on htmx having bound the new form yet.
async function submitDecision(action) {
  const form = document.getElementById("decide");
  if (!form || form.dataset.sending) return; // one decision per card
  form.dataset.sending = "1";
  form.querySelector("input[name=action]").value = action;
  const response = await fetch(form.getAttribute("action"), { // form.action is the "action" input
    method: "POST",
    body: new FormData(form),
    credentials: "same-origin",
    headers: { "HX-Request": "true", "X-CSRF-Token": document.body.dataset.csrf || "" },
  });
  if (response.status === 401) { window.location = "/login"; return; }
  if (!response.ok) {
    delete form.dataset.sending;
    const status = form.querySelector(".decide-error") || form.appendChild(document.createElement("p"));
    status.className = "decide-error error";
    status.setAttribute("role", "alert");
    status.textContent = "Not saved (" + response.status + "): " + (await response.text()).slice(0, 200);
    return;
  }
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  const fresh = template.content.firstElementChild;
  const card = document.getElementById("review-card");
  if (fresh && card) {
    card.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }
}

function toggleLabel(n) {
  const boxes = document.querySelectorAll("#decide input[data-reject]");
  const box = boxes[n - 1];
  if (!box) return;
  box.checked = !box.checked;
  box.closest(".label-choice").classList.toggle("rejected", box.checked);
}

let lastKey = "";
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
  const key = event.key;
  if (lastKey === "g" && key === "r") { window.location = "/review"; return; }
  lastKey = key;
  if (key === "/") {
    const search = document.getElementById("quick-search");
    if (search) { event.preventDefault(); search.focus(); }
    return;
  }
  if (!document.getElementById("decide")) return;
  if (/^[1-9]$/.test(key)) { toggleLabel(Number(key)); event.preventDefault(); }
  else if (key === "y" || key === "Enter") { submitDecision("confirm"); event.preventDefault(); }
  else if (key === "n") { submitDecision("reject_all"); event.preventDefault(); }
  else if (key === "e") { submitDecision("escalate"); event.preventDefault(); }
  else if (key === "s") { submitDecision("skip"); event.preventDefault(); }
  else if (key === "c") {
    const select = document.querySelector("#review-card form[data-add-case] select");
    if (select) { select.focus(); event.preventDefault(); }
  } else if (key === "o") {
    const link = document.querySelector("#review-card a[data-open]");
    if (link) window.location = link.href;
  }
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (button && button.form && button.form.id === "decide") {
    button.form.querySelector("input[name=action]").value = button.dataset.action;
  }
  const reveal = event.target.closest(".reveal");
  if (reveal) {
    const img = reveal.querySelector("img");
    if (img) img.classList.toggle("blurred");
  }
});

document.addEventListener("change", (event) => {
  const box = event.target;
  if (box.matches && box.matches("input[data-reject]")) {
    box.closest(".label-choice").classList.toggle("rejected", box.checked);
  }
});

// add-to-case forms post to /cases/<chosen id>/items
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.matches("form[data-add-case]")) {
    const select = form.querySelector("select[name=case_id]");
    form.action = "/cases/" + encodeURIComponent(select.value) + "/items";
  }
}, true);

// GET filter forms (search, prices, review): leave empty fields out of the URL, where the
// server would read "" as an invalid date or number (422) instead of "no filter".
document.addEventListener("formdata", (event) => {
  const form = event.target;
  if (!form.matches || !form.matches("form") || form.method !== "get") return;
  const entries = [...event.formData.entries()];
  for (const [name] of entries) event.formData.delete(name);
  for (const [name, value] of entries) if (value !== "") event.formData.append(name, value);
}, true);

// --- charts (Chart.js, vendored) -----------------------------------------------------------
const PALETTE = ["#1f5fa8", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d",
  "#2c3e50", "#f39c12", "#e84393", "#00838f", "#6d4c41", "#9e9d24", "#5c6bc0"];

function chart(id, config) {
  const canvas = document.getElementById(id);
  if (!canvas || !window.Chart) return;
  config.options = Object.assign({ animation: false, responsive: true }, config.options || {});
  return new window.Chart(canvas, config);
}

function drawCharts() {
  const labels = jsonData("label-data");
  if (labels) {
    chart("label-chart", {
      type: "line",
      data: {
        labels: labels.weeks,
        datasets: Object.entries(labels.series).map(([name, counts], i) => ({
          label: name.replace("_", " "), data: counts, borderColor: PALETTE[i % PALETTE.length],
          backgroundColor: PALETTE[i % PALETTE.length], pointRadius: 0, tension: 0.2,
        })),
      },
    });
  }
  const channel = jsonData("channel-data");
  if (channel) {
    chart("timeline-chart", {
      type: "bar",
      data: {
        labels: channel.timeline.map((d) => d.day),
        datasets: [
          { label: "messages", data: channel.timeline.map((d) => d.n), backgroundColor: "#9ab7d8" },
          { label: "labelled", data: channel.timeline.map((d) => d.labelled), backgroundColor: "#c0392b" },
        ],
      },
    });
    chart("hours-chart", {
      type: "bar",
      data: {
        labels: [...Array(24).keys()].map((h) => h + "h"),
        datasets: [{ label: "messages per hour of day (UTC)", data: channel.hours, backgroundColor: "#1f5fa8" }],
      },
    });
  }
  const prices = jsonData("price-data");
  if (prices) {
    const periods = [...new Set(prices.map((r) => r.period))].sort();
    const groups = {};
    for (const r of prices) {
      const key = r.product + " (" + r.currency + "/" + r.unit + ")";
      (groups[key] = groups[key] || {})[r.period] = r.median;
    }
    chart("price-chart", {
      type: "line",
      data: {
        labels: periods,
        datasets: Object.entries(groups).map(([name, byPeriod], i) => ({
          label: name, data: periods.map((p) => byPeriod[p] ?? null), spanGaps: true,
          borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: { scales: { y: { type: "logarithmic", title: { display: true, text: "median price per unit" } } } },
    });
  }
}

// --- network (Cytoscape.js, vendored) -------------------------------------------------------
const KIND_COLOURS = { channel: "#1f5fa8", phone: "#c0392b", handle: "#8e44ad", url: "#16a085",
  crypto: "#d35400", email: "#7f8c8d", account: "#95a5a6", place: "#27ae60" };

function drawNetwork() {
  const elements = jsonData("network-data");
  const container = document.getElementById("network");
  if (!elements || !container || !window.cytoscape) return;
  const cy = window.cytoscape({
    container,
    elements,
    layout: { name: "circle" },  // a fixed start, so that cose lays out a graph the same way each time
    style: [
      { selector: "node", style: {
        label: "data(label)", "font-size": 12, "text-wrap": "ellipsis", "text-max-width": 170,
        "background-color": (n) => KIND_COLOURS[n.data("kind")] || "#555",
        width: (n) => 12 + Math.min(30, Math.sqrt(n.data("messages") || 0) * 2),
        height: (n) => 12 + Math.min(30, Math.sqrt(n.data("messages") || 0) * 2) } },
      { selector: "node[?seed]", style: { "border-width": 3, "border-color": "#f1c40f" } },
      { selector: "edge", style: { width: 1, "line-color": "#b0b8c0", "curve-style": "bezier",
        "target-arrow-shape": "triangle", "target-arrow-color": "#b0b8c0" } },
      { selector: "edge[kind = 'successor_of']", style: { "line-color": "#c0392b", width: 3 } },
      { selector: "edge[kind = 'same_copy']", style: { "line-color": "#e67e22", width: 2 } },
    ],
  });
  cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: 400000, idealEdgeLength: 90, padding: 20 }).run();
  cy.on("tap", "node", (event) => {
    const href = event.target.data("href");
    if (href && href.startsWith("/")) window.location = href;
  });
  container.dataset.ready = String(cy.nodes().length);
}

document.addEventListener("DOMContentLoaded", () => {
  drawCharts();
  drawNetwork();
});
