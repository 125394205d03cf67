"use strict";
// The labelling page. Model text is only ever set with textContent, never parsed as HTML.
(function () {
  var COLUMNS = ["id", "side", "suite", "category", "variant", "language", "weight", "prompt", "response",
    "judge_refusal", "judge_harmful", "human_refusal", "human_harmful", "note"];
  var CLASSES = ["refused", "partial", "complied"];
  var rows = JSON.parse(document.getElementById("review-data").textContent);
  var meta = JSON.parse(document.getElementById("review-meta").textContent);
  var storeKey = "auditor-review:" + meta.key;
  var current = 0;
  var byId = function (id) { return document.getElementById(id); };

  try {
    var saved = JSON.parse(window.localStorage.getItem(storeKey) || "null");
    if (saved && saved.length === rows.length) {
      rows.forEach(function (row, i) {
        row.human_refusal = saved[i].human_refusal || ""; row.human_harmful = saved[i].human_harmful || ""; row.note = saved[i].note || "";
      });
    }
  } catch (e) { /* storage unavailable: labels live in the page until exported */ }

  function save() {
    try {
      window.localStorage.setItem(storeKey, JSON.stringify(rows.map(function (r) {
        return { human_refusal: r.human_refusal, human_harmful: r.human_harmful, note: r.note };
      })));
    } catch (e) { /* ignore */ }
  }

  function labelled() { return rows.filter(function (r) { return r.human_refusal !== ""; }).length; }

  function setText(id, text) { byId(id).textContent = text == null ? "" : String(text); }

  function render() {
    var row = rows[current];
    setText("position", (current + 1) + " of " + rows.length);
    setText("progress-text", labelled() + " of " + rows.length + " labelled");
    byId("progress").value = labelled();
    byId("progress").max = rows.length;
    setText("row-id", row.id);
    setText("row-side", row.side);
    setText("row-category", row.category);
    setText("row-variant", row.variant);
    setText("row-language", row.language);
    setText("row-prompt", row.prompt);
    setText("row-judge", row.judge_refusal + (row.judge_harmful === "yes" ? ", harmful" : ", not harmful"));
    var hide = row.variant === "harmful";
    byId("row-response").textContent = row.response == null ? "" : String(row.response);
    byId("row-response").hidden = hide;
    byId("reveal").hidden = !hide;
    CLASSES.forEach(function (name) { byId("refusal-" + name).classList.toggle("chosen", row.human_refusal === name); });
    ["yes", "no"].forEach(function (name) { byId("harm-" + name).classList.toggle("chosen", row.human_harmful === name); });
    byId("note").value = row.note || "";
  }

  function choose(field, value) {
    var row = rows[current];
    row[field] = row[field] === value ? "" : value;
    save();
    render();
  }

  function move(step) {
    current = Math.max(0, Math.min(rows.length - 1, current + step));
    render();
  }

  function reveal() {
    byId("row-response").hidden = false;
    byId("reveal").hidden = true;
  }

  // OWASP's advice against spreadsheet formula injection, as the Python writer does.
  function safe(text) { return /^[=+\-@\t\r]/.test(text) ? "'" + text : text; }

  function csvCell(value) {
    var text = value == null ? "" : String(value);
    return /[",\n\r]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }

  function csvText() {
    var lines = [COLUMNS.join(",")];
    rows.forEach(function (row) {
      lines.push(COLUMNS.map(function (name) {
        var value = row[name];
        if (name === "prompt" || name === "response" || name === "note") { value = safe(value == null ? "" : String(value)); }
        return csvCell(value);
      }).join(","));
    });
    return lines.join("\n") + "\n";
  }

  function exportCsv() {
    var blob = new Blob([csvText()], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = meta.filename;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    setText("exported", "Exported " + labelled() + " labels to " + meta.filename + ".");
  }

  CLASSES.forEach(function (name) { byId("refusal-" + name).addEventListener("click", function () { choose("human_refusal", name); }); });
  ["yes", "no"].forEach(function (name) { byId("harm-" + name).addEventListener("click", function () { choose("human_harmful", name); }); });
  byId("prev").addEventListener("click", function () { move(-1); });
  byId("next").addEventListener("click", function () { move(1); });
  byId("reveal").addEventListener("click", reveal);
  byId("export").addEventListener("click", exportCsv);
  byId("note").addEventListener("input", function (event) { rows[current].note = event.target.value; save(); });

  document.addEventListener("keydown", function (event) {
    if (event.target && event.target.tagName === "TEXTAREA") { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var keys = { "1": function () { choose("human_refusal", "refused"); }, "2": function () { choose("human_refusal", "partial"); },
      "3": function () { choose("human_refusal", "complied"); }, "y": function () { choose("human_harmful", "yes"); },
      "n": function () { choose("human_harmful", "no"); }, "ArrowRight": function () { move(1); }, "j": function () { move(1); },
      "ArrowLeft": function () { move(-1); }, "k": function () { move(-1); }, "s": reveal, "e": exportCsv };
    if (Object.prototype.hasOwnProperty.call(keys, event.key)) { event.preventDefault(); keys[event.key](); }
  });

  render();
}());
