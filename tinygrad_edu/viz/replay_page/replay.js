
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("replay-data").textContent);
  const steps = data.steps, n = steps.length;
  const svg = document.getElementById("graph");
  const $ = (id) => document.getElementById(id);
  const nodeOf = {}, gradOf = {}, edgesFrom = {};
  for (const g of svg.querySelectorAll("g.node")) {
    const title = g.querySelector("title");
    if (title) nodeOf[title.textContent] = g;
  }
  for (const t of svg.querySelectorAll("text.grad-text")) gradOf[t.getAttribute("data-node")] = t;
  for (const g of svg.querySelectorAll("g.edge")) {
    const title = g.querySelector("title");
    if (!title) continue;
    const ends = title.textContent.split("->");
    (edgesFrom[ends[0]] = edgesFrom[ends[0]] || []).push({ to: ends[1], g: g });
  }
  const index = {};
  steps.forEach((s, i) => { index[s.id] = i; });

  document.title = "Backprop replay: " + data.root_name;
  $("subtitle").textContent = "Each step completes one gradient \u03b4 = \u2202" + data.root_name +
    "/\u2202node, in the order the engine runs backprop (topological order: every node after all " +
    "of its consumers).";

  const order = $("order"), items = [];
  steps.forEach((s, i) => {
    const li = document.createElement("li"), b = document.createElement("button");
    b.type = "button";
    b.textContent = s.formula || s.name;
    b.addEventListener("click", () => { pause(); show(i + 1); });
    li.appendChild(b);
    order.appendChild(li);
    items.push(li);
  });

  let k = 0, timer = null;

  function el(tag, text) {
    const e = document.createElement(tag);
    e.textContent = text;
    return e;
  }

  function explain() {
    const rule = $("step-rule"), body = $("step-terms").tBodies[0];
    body.replaceChildren();
    $("step-terms").hidden = true;
    $("step-sum").textContent = "";
    $("step-next").textContent = "";
    if (k === 0) {
      $("step-title").textContent = "Nothing computed yet";
      $("step-formula").textContent = "";
      $("step-grad").textContent = "";
      rule.textContent = "Backprop will complete the " + n + " gradients one at a time, starting " +
        "from the output " + data.root_name + ". Press Next (\u2192) or Play.";
      return;
    }
    const s = steps[k - 1];
    $("step-title").textContent = "Step " + k + ": \u03b4 of " + s.name + " (" + s.id + ")" +
      (s.where ? " in " + s.where : "");
    $("step-formula").textContent = s.formula ? s.formula + "   (data " + s.data_text + ")"
      : (s.label ? s.name + " is a leaf, data " + s.data_text : "a constant, " + s.data_text);
    const grad = $("step-grad");
    grad.replaceChildren("\u03b4(" + s.name + ") = \u2202" + data.root_name + "/\u2202" + s.name + " = ",
      el("b", s.grad_text));
    if (s.terms.length === 0) {
      rule.textContent = "The seed: \u2202" + data.root_name + "/\u2202" + data.root_name +
        " = 1. Every other \u03b4 grows from it.";
    } else {
      rule.textContent = "Chain rule: \u03b4(" + s.name + ") = \u03a3 over consumers t of " + s.name +
        ": \u2202t/\u2202" + s.name + " \u00b7 \u03b4(t). Every consumer came earlier, " +
        "so its \u03b4 is final.";
      const uses = {};
      for (const t of s.terms) uses[t.consumer] = (uses[t.consumer] || 0) + 1;
      for (const t of s.terms) {
        const row = document.createElement("tr");
        let who = t.consumer_formula || t.consumer_name;
        if (t.consumer_where) who += "  in " + t.consumer_where;
        if (uses[t.consumer] > 1) who += "  (input " + (t.slot + 1) + ")";
        row.append(el("td", who), el("td", t.local_text), el("td", t.delta_text), el("td", t.term_text));
        body.appendChild(row);
      }
      $("step-terms").hidden = false;
      const paren = (x) => (x.startsWith("-") ? "(" + x + ")" : x);
      // an edge along which no gradient flows adds 0, whatever its consumer's δ
      const product = (t) => (t.flows ? paren(t.local_text) + " \u00b7 " + paren(t.delta_text) : "0");
      $("step-sum").textContent = "\u03b4(" + s.name + ") = " + s.terms.map(product).join(" + ") +
        " = " + s.grad_text;
    }
    $("step-next").textContent = s.parameter
      ? s.name + " is a parameter: this \u03b4 is the gradient an optimizer would use."
      : s.leaf
        ? (s.label
          ? s.name + " is an input: its \u03b4 says how the output moves with it; nothing updates it."
          : "A constant: nothing to update.")
        : "Now that it is final, backprop passes it through the op into " + s.name + "'s inputs.";
  }

  function show(step) {
    k = Math.max(0, Math.min(n, step));
    const current = k > 0 ? steps[k - 1] : null;
    const consumers = new Set(current ? current.terms.map((t) => t.consumer) : []);
    steps.forEach((s, i) => {
      const g = nodeOf[s.id], done = i < k;
      if (g) {
        g.classList.toggle("done", done);
        g.classList.toggle("pending", !done);
        g.classList.toggle("current", i === k - 1);
        g.classList.toggle("consumer", consumers.has(s.id));
      }
      const t = gradOf[s.id];
      if (t) t.textContent = t.dataset.prefix + (done ? s.grad_text : "?") + t.dataset.suffix;
      items[i].className = i === k - 1 ? "current" : (done ? "done" : "pending");
    });
    for (const from in edgesFrom) {
      for (const e of edgesFrom[from]) {
        const to = e.to.replace(/_op$/, "");
        e.g.classList.toggle("flow", current !== null && from === current.id && consumers.has(to));
      }
    }
    $("counter").textContent = "step " + k + " / " + n;
    $("slider").value = String(k);
    $("prev").disabled = k === 0;
    $("reset").disabled = k === 0;
    $("next").disabled = k === n;
    explain();
    if (current && nodeOf[current.id]) reveal($("picture"), nodeOf[current.id]);
    if (k > 0) reveal(order, items[k - 1]);
  }

  // scroll only the box itself (scrollIntoView would scroll the panel and the window too)
  function reveal(box, target) {
    const b = box.getBoundingClientRect(), r = target.getBoundingClientRect(), pad = 16;
    if (r.left < b.left) box.scrollLeft += r.left - b.left - pad;
    else if (r.right > b.right) box.scrollLeft += Math.min(r.right - b.right + pad, r.left - b.left - pad);
    if (r.top < b.top) box.scrollTop += r.top - b.top - pad;
    else if (r.bottom > b.bottom) box.scrollTop += Math.min(r.bottom - b.bottom + pad, r.top - b.top - pad);
  }

  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    $("play").textContent = "\u25b6 Play";
    $("play").setAttribute("aria-pressed", "false");
  }

  function play() {
    if (k >= n) show(0);
    $("play").textContent = "\u2016 Pause";
    $("play").setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      show(k + 1);
      if (k >= n) pause();
    }, 900);
  }

  $("next").addEventListener("click", () => { pause(); show(k + 1); });
  $("prev").addEventListener("click", () => { pause(); show(k - 1); });
  $("reset").addEventListener("click", () => { pause(); show(0); });
  $("play").addEventListener("click", () => { if (timer === null) play(); else pause(); });
  $("fit").addEventListener("click", () => {
    const fit = $("picture").classList.toggle("fit");
    $("fit").setAttribute("aria-pressed", String(fit));
    $("fit").textContent = fit ? "Actual size" : "Fit width";
  });
  $("slider").addEventListener("input", () => { pause(); show(Number($("slider").value)); });
  document.addEventListener("keydown", (ev) => {
    const tag = ev.target && ev.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    let handled = true;
    if (ev.key === "ArrowRight") { pause(); show(k + 1); }
    else if (ev.key === "ArrowLeft") { pause(); show(k - 1); }
    else if (ev.key === "Home") { pause(); show(0); }
    else if (ev.key === "End") { pause(); show(n); }
    else if (ev.key === " " && tag !== "BUTTON") { if (timer === null) play(); else pause(); }
    else handled = false;
    if (handled) ev.preventDefault();
  });

  // a picture up to half again as wide as its box starts shrunk to fit; a bigger one scrolls
  if (svg.getBoundingClientRect().width <= 1.5 * $("picture").clientWidth) $("fit").click();
  const m = /^#step=(\d+)$/.exec(location.hash);
  show(m ? Number(m[1]) : 0);
})();
