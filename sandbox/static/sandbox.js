// The sandbox page: polls what the current person sees (rendered on the server) and sends
// what they do. Elements rendered from Block Kit carry data-block-id / data-action-id /
// data-type; the server turns those into the payloads Slack would send to the bot.
"use strict";

const page = {
  as: new URLSearchParams(location.search).get("as") || "",
  channel: new URLSearchParams(location.search).get("channel") || "",
  shown: { timeline: null, home: null, modal: null, sidebar: null, refusals: null },
  dismissed: 0,
  busy: 0,
};

const $ = (id) => document.getElementById(id);

async function call(path, data) {
  page.busy += 1;
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ as: page.as, ...data }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok || answer.problem) toast(answer.problem || `HTTP ${response.status}`);
    return answer;
  } finally {
    page.busy -= 1;
    refresh();
    setTimeout(refresh, 350);
  }
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

// -- reading what a person entered ---------------------------------------------------------

function valueOf(el) {
  const type = el.dataset.type || "";
  if (el.tagName === "SELECT") {
    if (el.multiple) return Array.from(el.selectedOptions).map((o) => o.value);
    return el.value || null;
  }
  if (el.classList.contains("bk-choices")) {
    const picked = Array.from(el.querySelectorAll("input:checked")).map((i) => i.value);
    return type === "checkboxes" ? picked : (picked[0] || null);
  }
  return el.value === "" ? null : el.value;
}

function inputValues(form) {
  const values = {};
  form.querySelectorAll(".bk-block-input").forEach((block) => {
    const el = block.querySelector("[data-action-id]");
    if (el) values[block.dataset.blockId] = valueOf(el);
  });
  return values;
}

// -- rendering -----------------------------------------------------------------------------

// Each company is a Slack workspace of its own: the tabs switch between them, and the person
// list holds the current company's people only, as a Slack client shows one workspace.
function renderCompanies(state) {
  const box = $("companies");
  box.innerHTML = "";
  state.companies.forEach((company, index) => {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.dataset.company = company.id;
    tab.textContent = company.name;
    tab.setAttribute("aria-selected", String(company.id === state.company));
    if (company.id === state.company) document.body.dataset.company = String(index);
    box.append(tab);
  });
}

function renderSidebar(state) {
  const key = JSON.stringify([state.as, state.channel, state.conversations, state.people]);
  if (page.shown.sidebar === key) return;
  page.shown.sidebar = key;
  renderCompanies(state);
  const person = state.people.find((p) => p.id === state.as);
  const company = state.companies.find((c) => c.id === state.company);
  const select = $("person");
  select.innerHTML = "";
  for (const p of state.people.filter((p) => p.company === state.company)) {
    const option = new Option(`${p.name} (${p.role})`, p.id, false, p.id === state.as);
    select.add(option);
  }
  $("who").innerHTML = "";
  const workspace = document.createElement("span");
  workspace.className = "workspace";
  workspace.textContent = company ? company.name : "";
  const name = document.createElement("b");
  name.textContent = person.name;
  $("who").append(workspace, name, `${person.title} · ${person.role} · ${person.tz}`);
  const list = $("conversations");
  list.innerHTML = "";
  const entries = [{ id: "home", name: "Mentorbot · Home", kind: "home" }, ...state.conversations];
  for (const c of entries) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.channel = c.id;
    const prefix = c.kind === "channel" ? "# " : c.kind === "home" ? "⌂ " : "● ";
    button.textContent = prefix + c.name;
    if (c.id === state.channel) button.classList.add("current");
    item.append(button);
    list.append(item);
  }
  const current = entries.find((c) => c.id === state.channel);
  $("title").textContent = current ? (current.kind === "channel" ? "# " : "") + current.name : "";
}

function renderMain(state) {
  const onHome = state.channel === "home";
  $("home").hidden = !onHome;
  $("timeline").hidden = onHome;
  if (onHome) {
    const html = state.home ? state.home.html : '<p class="empty">Opening the App Home…</p>';
    if (page.shown.home !== html) {
      $("home").innerHTML = html;
      $("home").dataset.viewId = state.home ? state.home.id : "";
      page.shown.home = html;
    }
  } else if (page.shown.timeline !== state.timeline) {
    const box = $("timeline");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.innerHTML = state.timeline;
    page.shown.timeline = state.timeline;
    if (atBottom || page.jump) box.scrollTop = box.scrollHeight;
    page.jump = false;
  }
}

// Calls Slack would refuse (invalid_blocks, ...) are shown, so a builder's mistake is seen here.
function renderRefusals(state) {
  const fresh = state.refusals.slice(page.dismissed);
  const key = JSON.stringify(fresh);
  if (page.shown.refusals === key) return;
  page.shown.refusals = key;
  const box = $("refusals");
  box.hidden = fresh.length === 0;
  box.innerHTML = "";
  if (!fresh.length) return;
  const close = document.createElement("button");
  close.type = "button";
  close.dataset.dismiss = String(state.refusals.length);
  close.setAttribute("aria-label", "Dismiss");
  close.textContent = "×";
  const head = document.createElement("b");
  head.textContent = `Slack refused ${fresh.length} call${fresh.length === 1 ? "" : "s"} from the bot`;
  const list = document.createElement("ul");
  for (const refusal of fresh.slice(-5)) {
    const item = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = `${refusal.method}: ${refusal.error}`;
    item.append(code, " ", refusal.messages.join("; "));
    list.append(item);
  }
  box.append(close, head, list);
}

// What the person entered in each input block, keyed by block and action ID.
function entries(form) {
  const found = {};
  if (!form) return found;
  form.querySelectorAll(".bk-block-input").forEach((block) => {
    const el = block.querySelector("[data-action-id]");
    if (el) found[block.dataset.blockId + "\n" + el.dataset.actionId] = valueOf(el);
    const error = block.querySelector(".bk-error:not([hidden])");
    if (error) found[block.dataset.blockId + "\nerror"] = error.textContent;
  });
  return found;
}

function restore(form, kept) {
  form.querySelectorAll(".bk-block-input").forEach((block) => {
    const error = kept[block.dataset.blockId + "\nerror"];
    const slot = block.querySelector(".bk-error");
    if (error && slot) {  // a field error stays until the next submit
      slot.textContent = error;
      slot.hidden = false;
      block.classList.add("has-error");
    }
    const el = block.querySelector("[data-action-id]");
    const key = el && block.dataset.blockId + "\n" + el.dataset.actionId;
    if (!el || !(key in kept) || kept[key] === null) return;
    const value = kept[key];
    const chosen = new Set(Array.isArray(value) ? value : [value]);
    if (el.tagName === "SELECT") {
      for (const option of el.options) option.selected = chosen.has(option.value);
    } else if (el.classList.contains("bk-choices")) {
      el.querySelectorAll("input").forEach((i) => { i.checked = chosen.has(i.value); });
    } else {
      el.value = value;
    }
  });
}

// A views.update of the open modal keeps what the person entered in inputs whose block and
// action IDs it kept, as Slack does (and the field errors shown): the bot's zone update may
// land while they type, or just after they submitted.
function renderModal(state) {
  const layer = $("modal-layer");
  const key = state.modal ? state.modal.id + ":" + state.modal.hash : null;
  if (page.shown.modal === key) return;
  const updated = state.modal && page.shown.modal
    && page.shown.modal.split(":")[0] === state.modal.id;
  const kept = updated ? entries(layer.querySelector(".modal")) : null;
  page.shown.modal = key;
  layer.innerHTML = state.modal ? state.modal.html : "";
  layer.hidden = !state.modal;
  if (kept) return restore(layer, kept);
  const first = layer.querySelector("input, textarea, select");
  if (first) first.focus();
}

// Polls overlap with clicks: an answer is used only if it is the newest one asked for, and
// only if nobody switched person or conversation while it was on its way.
async function refresh() {
  const asked = { as: page.as, channel: page.channel, seq: (page.seq = (page.seq || 0) + 1) };
  const known = page.last && page.last.as === page.as && page.last.channel === page.channel
    ? page.last.version : "";
  let state;
  try {
    const query = new URLSearchParams({ as: asked.as, channel: asked.channel, v: known });
    const response = await fetch(`/sandbox/state?${query}`);
    state = await response.json();
  } catch (error) {
    return;
  }
  if (state.unchanged || !state.people || asked.seq < (page.applied || 0)) return;
  if (asked.as !== page.as || asked.channel !== page.channel) return;
  page.applied = asked.seq;
  page.last = state;
  page.as = state.as;
  page.channel = state.channel;
  $("now").textContent = state.now;
  $("preparing").hidden = !state.preparing;
  renderSidebar(state);
  renderMain(state);
  renderModal(state);
  renderRefusals(state);
  document.body.dataset.ready = "true";
}

// -- what people do ------------------------------------------------------------------------

function switchTo(channel) {
  page.channel = channel;
  page.shown.timeline = null;
  page.shown.home = null;
  page.jump = true;
  if (channel === "home") call("/sandbox/home", {});
  else refresh();
}

// A "Try this" suggestion: act as someone, open a conversation, type (and maybe send).
async function tryThis(d) {
  if (d.tryStep) return call("/sandbox/clock", { step: d.tryStep });
  if (d.tryAs && d.tryAs !== page.as) {
    page.as = d.tryAs;
    $("person").value = d.tryAs;
    page.shown.sidebar = null;
  }
  switchTo(d.tryChannel === "home" ? "home" : "D" + page.as.slice(1));
  if (!d.tryText) return;
  const input = $("command");
  input.value = d.tryText;
  input.focus();
  if (d.trySend) $("composer").requestSubmit();
}

function where(el) {
  const modal = el.closest(".modal");
  if (modal) return { view_id: modal.dataset.viewId, values: inputValues(modal) };
  if (el.closest("#home")) return { view_id: $("home").dataset.viewId };
  const message = el.closest(".msg");
  if (message) return { channel: page.channel, ts: message.dataset.ts };
  return null;
}

function act(el, value) {
  const context = where(el);
  if (!context) return;
  const block = el.closest("[data-block-id]");
  call("/sandbox/action", {
    ...context,
    block_id: el.dataset.blockId || (block && block.dataset.blockId),
    action_id: el.dataset.actionId,
    value,
  });
}

document.addEventListener("click", (event) => {
  const target = event.target;
  const dismiss = target.closest("#refusals button[data-dismiss]");
  if (dismiss) {
    page.dismissed = Number(dismiss.dataset.dismiss);
    return page.last && renderRefusals(page.last);
  }
  const conversation = target.closest(".sidebar button[data-channel]");
  if (conversation) return switchTo(conversation.dataset.channel);
  if (target.closest("#start-over")) {
    if (!confirm("Forget the sample program and start from an empty one?")) return;
    return call("/sandbox/start_over", {}).then(() => switchTo(page.channel));
  }
  const company = target.closest("#companies button[data-company]");
  if (company && page.last) {
    const first = page.last.people.find((p) => p.company === company.dataset.company);
    if (!first || first.id === page.as) return;
    page.as = first.id;
    page.shown.sidebar = null;
    return switchTo("");
  }
  const suggestion = target.closest("#try button");
  if (suggestion) return tryThis(suggestion.dataset);
  const step = target.closest(".clock button[data-step]");
  if (step) return call("/sandbox/clock", { step: step.dataset.step });
  const close = target.closest(".modal [data-close]");
  if (close) return call("/sandbox/close", { view_id: close.closest(".modal").dataset.viewId });
  const button = target.closest("button[data-action-id]");
  if (button && button.dataset.type === "button") {
    button.disabled = true;
    act(button, button.dataset.value || "");
  }
});

document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.id === "person") {
    page.as = target.value;
    page.shown.sidebar = null;
    return switchTo("");
  }
  if (target.closest(".bk-block-input")) return; // read on submit, as Slack does
  const el = target.closest("[data-action-id]");
  if (el && el.dataset.type !== "button") act(el, valueOf(el));
});

document.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  if (form.id === "composer") {
    const input = $("command");
    const text = input.value.trim();
    if (!text) return;
    const channel = page.channel === "home" || !page.channel ? "" : page.channel;
    const answer = await call("/sandbox/command", {
      channel: channel || (page.as ? "D" + page.as.slice(1) : ""),
      text,
    });
    if (!answer.problem) input.value = "";
    return;
  }
  if (!form.classList.contains("modal")) return;
  form.querySelectorAll(".bk-error").forEach((e) => { e.hidden = true; e.textContent = ""; });
  form.querySelectorAll(".has-error").forEach((e) => e.classList.remove("has-error"));
  const problems = form.querySelector(".modal-problems");
  problems.hidden = true;
  const submit = form.querySelector("button[type=submit]");
  if (submit) submit.disabled = true;
  const answer = await call("/sandbox/submit", {
    view_id: form.dataset.viewId,
    values: inputValues(form),
  });
  if (submit) submit.disabled = false;
  for (const [blockId, message] of Object.entries(answer.errors || {})) {
    const block = form.querySelector(`.bk-block[data-block-id="${CSS.escape(blockId)}"]`);
    const slot = block && block.querySelector(".bk-error");
    if (slot) {
      slot.textContent = message;
      slot.hidden = false;
      block.classList.add("has-error");
    }
  }
  if (answer.problems && answer.problems.length) {
    problems.textContent = answer.problems.join("\n");
    problems.hidden = false;
  }
});

refresh();
setInterval(() => { if (!page.busy) refresh(); }, 700);
