/* exorag Q&A widget. Embed with:
 *   <script src="http://HOST/widget.js" data-api="http://HOST" data-title="Ask about exosome chemoresistance" defer></script>
 * Optional: data-app (link to the full app; default data-api + "/"), data-token (only on private pages: the token
 * is visible to anyone who can read the page).
 * Plain JavaScript, no framework, nothing loaded from elsewhere. Styles live in a shadow root. Every string that
 * comes from the server (corpus text, model output) is inserted with textContent, never parsed as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__exoragWidget) { return; }
  window.__exoragWidget = true;

  var api = (script.getAttribute("data-api") || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var title = script.getAttribute("data-title") || "Ask about exosome chemoresistance";
  var appUrl = script.getAttribute("data-app") || api + "/";
  var token = script.getAttribute("data-token") || "";
  var MAX_TURNS = 6;
  var history = [];
  var busy = false;

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;border:0;border-radius:999px;",
    "padding:12px 18px;background:#1f4e79;color:#fff;font-size:15px;font-weight:600;cursor:pointer;",
    "box-shadow:0 4px 14px rgba(0,0,0,.25)}",
    ".launcher:focus-visible,button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #f0b429;outline-offset:2px}",
    ".panel{position:fixed;right:8px;bottom:72px;z-index:2147483001;width:min(400px,calc(100vw - 16px));",
    "max-height:min(640px,calc(100vh - 88px));display:flex;flex-direction:column;background:#fff;color:#1b1b1b;",
    "border:1px solid #c8d3de;border-radius:12px;box-shadow:0 10px 30px rgba(0,0,0,.25);overflow:hidden}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:10px 14px;background:#1f4e79;color:#fff}",
    "h2{margin:0;font-size:15px;font-weight:600;line-height:1.3}",
    ".close{border:0;background:transparent;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:2px 6px}",
    ".body{padding:12px 14px;overflow-y:auto;flex:1;font-size:14px;line-height:1.5}",
    "form{display:flex;gap:8px;padding:10px 14px;border-top:1px solid #e3e8ee}",
    "textarea{flex:1;resize:vertical;min-height:40px;max-height:140px;padding:8px;font-size:14px;border:1px solid #9fb0c2;border-radius:8px}",
    ".ask{border:0;border-radius:8px;padding:0 14px;background:#1f4e79;color:#fff;font-weight:600;cursor:pointer}",
    ".ask[disabled]{opacity:.6;cursor:wait}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    ".hint{color:#52606d;margin:0 0 8px}",
    ".q{font-weight:600;margin:0 0 6px}",
    ".answer p{margin:0 0 10px}",
    ".cite{border:0;background:#e4edf6;color:#1f4e79;border-radius:4px;padding:0 4px;margin:0 1px;font-size:12px;font-weight:600;cursor:pointer}",
    ".warn{background:#fff4e5;border-left:4px solid #d97706;padding:6px 8px;margin:0 0 10px;font-size:13px}",
    ".error{background:#fdecea;border-left:4px solid #b42318;padding:6px 8px;margin:0 0 10px}",
    "h3{font-size:13px;margin:12px 0 6px;text-transform:uppercase;letter-spacing:.04em;color:#52606d}",
    "ol,ul{padding-left:20px;margin:0}",
    "li{margin:0 0 8px;padding:4px;border-radius:6px;transition:background .4s}",
    "li.hl{background:#fff3bf}",
    ".meta{color:#52606d;font-size:12px}",
    ".links a{margin-right:10px;font-size:12px;color:#1f4e79}",
    ".badge{display:inline-block;background:#b42318;color:#fff;border-radius:4px;padding:0 5px;font-size:11px;font-weight:700;margin-right:4px}",
    ".note{display:block;color:#b42318;font-size:12px}",
    "footer{display:flex;justify-content:space-between;gap:8px;padding:6px 14px 10px;font-size:12px;color:#52606d}",
    "footer a{color:#1f4e79}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  var host = el("div", { id: "exorag-widget" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", {}, CSS));

  var launcher = el("button", { "class": "launcher", type: "button", "aria-haspopup": "dialog",
    "aria-expanded": "false", "aria-controls": "exorag-panel", "aria-label": title }, "Ask");
  var panel = el("section", { "class": "panel", id: "exorag-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "exorag-title" });
  panel.hidden = true;

  var header = el("header");
  header.appendChild(el("h2", { id: "exorag-title" }, title));
  var close = el("button", { "class": "close", type: "button", "aria-label": "Close" }, "\u00d7");
  header.appendChild(close);

  var body = el("div", { "class": "body", "aria-live": "polite", "aria-busy": "false" });
  body.appendChild(el("p", { "class": "hint" },
    "Cited answers from the review and the studies it discusses. Try: How do fibroblast exosomes cause cisplatin resistance?"));

  var form = el("form", { "aria-label": "Ask a question" });
  var label = el("label", { "for": "exorag-q", "class": "sr" }, "Your question");
  var input = el("textarea", { id: "exorag-q", rows: "2", maxlength: "2000", placeholder: "Ask a mechanism question\u2026" });
  var submit = el("button", { "class": "ask", type: "submit" }, "Ask");
  form.appendChild(label); form.appendChild(input); form.appendChild(submit);

  var footer = el("footer");
  var full = el("a", { href: safeUrl(appUrl), target: "_blank", rel: "noopener noreferrer" }, "Open the full app");
  footer.appendChild(el("span", {}, "Research use only; not medical advice."));
  footer.appendChild(full);

  panel.appendChild(header); panel.appendChild(body); panel.appendChild(form); panel.appendChild(footer);
  root.appendChild(launcher); root.appendChild(panel);

  function safeUrl(url) {
    try {
      var u = new URL(url, location.href);
      return (u.protocol === "https:" || u.protocol === "http:") ? u.href : "#";
    } catch (e) { return "#"; }
  }

  function doiUrl(doi) { return /^10\.\d{4,9}\/\S+$/.test(doi || "") ? "https://doi.org/" + doi : ""; }

  // The record's PubMed page when its PMID (or a PubMed address) is known, else a PubMed search for it.
  function pubmedUrl(c) {
    var base = "https://pubmed.ncbi.nlm.nih.gov/";
    if (/^\d{1,9}$/.test(c.pmid || "")) { return base + c.pmid + "/"; }
    if (/^https:\/\/pubmed\.ncbi\.nlm\.nih\.gov\/\d{1,9}\/?$/.test(c.url || "")) { return c.url; }
    if (doiUrl(c.doi)) { return base + "?term=" + encodeURIComponent(c.doi + "[doi]"); }
    return c.title ? base + "?term=" + encodeURIComponent(c.title) : "";
  }

  function setOpen(open) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { input.focus(); } else { launcher.focus(); }
  }

  function highlight(n) {
    var item = root.getElementById("exorag-ref-" + n);
    if (!item) { return; }
    item.scrollIntoView({ block: "nearest", behavior: "smooth" });
    item.classList.add("hl");
    item.setAttribute("tabindex", "-1");
    item.focus({ preventScroll: true });
    setTimeout(function () { item.classList.remove("hl"); }, 2000);
  }

  // "text [1] more [2, 3]" -> text nodes and citation buttons; nothing is parsed as HTML.
  function answerParagraph(text, numbers) {
    var p = el("p");
    var marker = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
    var last = 0, m;
    while ((m = marker.exec(text)) !== null) {
      p.appendChild(document.createTextNode(text.slice(last, m.index)));
      m[1].split(",").forEach(function (raw) {
        var n = raw.trim();
        if (numbers.indexOf(n) < 0) { p.appendChild(document.createTextNode("[" + n + "]")); return; }
        var b = el("button", { "class": "cite", type: "button", "aria-label": "Show reference " + n }, "[" + n + "]");
        b.addEventListener("click", function () { highlight(n); });
        p.appendChild(b);
      });
      last = marker.lastIndex;
    }
    p.appendChild(document.createTextNode(text.slice(last)));
    return p;
  }

  function reference(c, numbered) {
    var li = el("li", numbered ? { id: "exorag-ref-" + c.n } : {});
    if (c.retracted) { li.appendChild(el("span", { "class": "badge" }, "Retracted")); }
    li.appendChild(el("span", {}, c.title || c.source_id));
    var who = (c.authors || []).slice(0, 3).join(", ");
    li.appendChild(el("span", { "class": "meta" }, " " + [who, c.journal, c.year].filter(Boolean).join(" \u00b7 ")));
    if (c.retracted && c.retraction_note) { li.appendChild(el("span", { "class": "note" }, c.retraction_note)); }
    // A passage of the review: where it stands and the references it cites.
    if (c.references && c.references.length) {
      var cites = c.references.map(function (r) {
        var who = (r.authors || "").split(";")[0];
        return "[" + r.label + "] " + ([who, r.year].filter(Boolean).join(" ") || r.text || "");
      });
      li.appendChild(el("div", { "class": "meta" }, (c.section ? c.section + ". " : "") + "Cites " + cites.join("; ")));
    }
    var links = el("div", { "class": "links" });
    var doi = doiUrl(c.doi), pubmed = pubmedUrl(c);
    if (doi) { links.appendChild(el("a", { href: doi, target: "_blank", rel: "noopener noreferrer" }, "DOI")); }
    if (pubmed) { links.appendChild(el("a", { href: pubmed, target: "_blank", rel: "noopener noreferrer" }, "PubMed")); }
    li.appendChild(links);
    return li;
  }

  function renderAnswer(box, a) {
    box.textContent = "";
    var numbers = (a.citations || []).map(function (c) { return String(c.n); });
    (a.warnings || []).filter(function (w) { return /retracted/i.test(w); }).forEach(function (w) {
      box.appendChild(el("p", { "class": "warn", role: "note" }, "\u26a0 " + w));
    });
    var div = el("div", { "class": "answer" });
    div.appendChild(answerParagraph(a.answer || "", numbers));
    box.appendChild(div);
    if ((a.citations || []).length) {
      box.appendChild(el("h3", {}, "References"));
      var ol = el("ol", { "class": "refs" });
      a.citations.forEach(function (c) { ol.appendChild(reference(c, true)); });
      box.appendChild(ol);
    }
    if ((a.see_also || []).length) {
      box.appendChild(el("h3", {}, "See also (closest sources)"));
      var ul = el("ul", { "class": "see-also" });
      a.see_also.forEach(function (c) { ul.appendChild(reference(c, false)); });
      box.appendChild(ul);
    }
  }

  function showError(box, message) {
    box.textContent = "";
    box.appendChild(el("p", { "class": "error", role: "alert" }, message));
  }

  // Reads a text/event-stream body: calls onEvent(name, data) for each complete event.
  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
        var parts = buffer.split("\n\n");
        buffer = parts.pop();
        parts.forEach(function (block) {
          var name = "message", data = [];
          block.split("\n").forEach(function (line) {
            if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
            else if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
          });
          if (data.length) { onEvent(name, JSON.parse(data.join("\n"))); }
        });
        return chunk.done ? null : pump();
      });
    }
    return pump();
  }

  function ask(question) {
    busy = true;
    submit.disabled = true;
    body.setAttribute("aria-busy", "true");
    var turn = el("div", { "class": "turn" });
    turn.appendChild(el("p", { "class": "q" }, question));
    var box = el("div", { "class": "result" });
    box.appendChild(el("p", { "class": "hint" }, "Searching the corpus\u2026"));
    turn.appendChild(box);
    body.textContent = "";
    body.appendChild(turn);
    var headers = { "Content-Type": "application/json", "Accept": "text/event-stream" };
    if (token) { headers.Authorization = "Bearer " + token; }
    var draft = "";
    var final = null;
    return fetch(api + "/api/ask/stream", {
      method: "POST", headers: headers, mode: "cors", credentials: "omit",
      body: JSON.stringify({ question: question, history: history.slice(-MAX_TURNS) })
    }).then(function (response) {
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (err) {
          throw new Error(err.message || ("the server answered " + response.status));
        });
      }
      return readEvents(response, function (name, data) {
        if (name === "delta") {
          draft += data.text || "";
          box.textContent = "";
          box.appendChild(el("p", { "class": "draft" }, draft));
        } else if (name === "answer") {
          final = data;
          renderAnswer(box, data);
        } else if (name === "error") {
          throw new Error(data.message || "the answer failed");
        }
      });
    }).then(function () {
      if (!final) { throw new Error("the answer was cut off; please try again"); }
      history.push({ role: "user", content: question }, { role: "assistant", content: final.answer || "" });
    }).catch(function (e) {
      showError(box, "Sorry: " + (e && e.message ? e.message : "the assistant could not be reached") + ".");
    }).then(function () {
      busy = false;
      submit.disabled = false;
      body.setAttribute("aria-busy", "false");
    });
  }

  launcher.addEventListener("click", function () { setOpen(panel.hidden); });
  close.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { setOpen(false); } });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value.trim();
    if (!q) { input.focus(); return; }
    if (busy) { return; }
    input.value = "";
    ask(q);
  });

  function mount() { document.body.appendChild(host); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
