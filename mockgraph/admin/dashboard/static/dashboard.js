// The mockgraph dashboard's one script: poll the live parts of a page every 2 s, and send each action to the
// admin API as JSON with this server's X-MockGraph-CSRF token (read from the page's meta tag).
// Everything the server sends is shown with textContent, except the live parts, which are the server's own
// escaped HTML fragments.
"use strict";

(() => {
  const ADMIN = "/_mockgraph";
  const POLL_MS = 2000;
  const csrfMeta = document.querySelector('meta[name="mockgraph-csrf"]');
  const csrf = csrfMeta ? csrfMeta.content : "";
  const liveStatus = document.getElementById("live-status");
  const regions = [];
  const shown = new Map(); // region -> the HTML it shows, so an unchanged poll leaves the page alone

  // Admin API ----------------------------------------------------------------------------------------

  async function admin(method, path, body) {
    const init = {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-MockGraph-CSRF": csrf },
    };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    const response = await fetch(ADMIN + path, init);
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (_) {
      json = null;
    }
    return { ok: response.ok, status: response.status, json, reason: response.headers.get("x-mockgraph-reason") };
  }

  function problem(answer) {
    const error = answer.json && answer.json.error;
    const text = error && error.code ? `${answer.status} ${error.code}: ${error.message}` : `status ${answer.status}`;
    return answer.reason ? `${text} (rule: ${answer.reason})` : text;
  }

  function say(id, text, ok) {
    const element = document.getElementById(id);
    if (!element) return;
    element.textContent = text;
    element.className = ok ? "result ok" : "result bad";
  }

  // Live parts ---------------------------------------------------------------------------------------

  function setLive(state) {
    if (!liveStatus) return;
    liveStatus.textContent = state === "live" ? "live, every 2 s" : state;
    liveStatus.className = state === "live" ? "live-on" : "live-off";
  }

  async function refresh(region) {
    try {
      const response = await fetch(region.dataset.live + window.location.search, {
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) {
        setLive("offline");
        return;
      }
      const html = await response.text();
      if (html !== shown.get(region)) {
        region.innerHTML = html;
        shown.set(region, html);
      }
      setLive("live");
    } catch (_) {
      setLive("offline");
    }
  }

  function refreshAll() {
    return Promise.all(regions.map(refresh));
  }

  function poll() {
    const next = () => window.setTimeout(poll, POLL_MS);
    if (document.hidden) {
      next();
      return;
    }
    refreshAll().then(next, next);
  }

  for (const region of document.querySelectorAll("[data-live]")) regions.push(region);
  if (regions.length) {
    setLive("live");
    window.setTimeout(poll, POLL_MS);
  }

  function on(id, event, handler) {
    const element = document.getElementById(id);
    if (element) element.addEventListener(event, handler);
  }

  // Reset and seed -----------------------------------------------------------------------------------

  on("reset", "click", async () => {
    if (!window.confirm("Forget every Graph object, journal entry and fault rule?")) return;
    const answer = await admin("POST", "/reset");
    say("reset-result", answer.ok ? "Reset: the emulator holds no Graph objects now." : problem(answer), answer.ok);
    await refreshAll();
  });

  on("seed", "click", async () => {
    const input = document.getElementById("seed-file");
    const file = input && input.files && input.files[0];
    if (!file) {
      say("seed-result", "Choose a JSON file first.", false);
      return;
    }
    const answer = await admin("POST", "/seed", await file.text());
    if (answer.ok && answer.json) {
      const added = answer.json.added;
      say(
        "seed-result",
        `Seeded ${file.name}: ${added.tenants} tenant(s), ${added.apps} app(s), ${added.users} user(s), ${added.objects} object(s).`,
        true,
      );
    } else {
      say("seed-result", problem(answer), false);
    }
    await refreshAll();
  });

  // Faults ---------------------------------------------------------------------------------------------

  // A described rule back to the spec PUT /faults takes; a count rule keeps only what it has left.
  function specOf(rule) {
    const spec = { operation: rule.operation };
    if (rule.status !== undefined) {
      spec.status = rule.status;
      if (rule.count !== undefined) {
        if (!rule.remaining) return null;
        spec.count = rule.remaining;
      } else {
        spec.fraction = rule.fraction;
        spec.seed = rule.seed;
      }
      if (rule.retryAfter !== undefined) spec.retryAfter = rule.retryAfter;
    }
    if (rule.latencyMs) spec.latencyMs = rule.latencyMs;
    return spec;
  }

  function ruleFromForm(form) {
    const data = new FormData(form);
    const rule = { operation: data.get("operation") };
    const latency = Number(data.get("latencyMs") || 0);
    if (data.get("status")) {
      rule.status = Number(data.get("status"));
      if (data.get("mode") === "fraction") {
        rule.fraction = Number(data.get("fraction"));
        rule.seed = Number(data.get("seed") || 0);
      } else {
        rule.count = Number(data.get("count"));
      }
      if (data.get("retryAfter") !== "") rule.retryAfter = Number(data.get("retryAfter"));
    }
    if (latency) rule.latencyMs = latency;
    return rule;
  }

  async function replaceRules(change) {
    const current = await admin("GET", "/faults");
    if (!current.ok) return current;
    const kept = current.json.rules.map(specOf);
    const rules = change(kept).filter((rule) => rule !== null);
    return admin("PUT", "/faults", { rules });
  }

  on("fault-form", "submit", async (event) => {
    event.preventDefault();
    const rule = ruleFromForm(event.target);
    const answer = await replaceRules((rules) => [...rules, rule]);
    say("fault-result", answer.ok ? "Rule added: the next matching call is answered by it." : problem(answer), answer.ok);
    await refreshAll();
  });

  on("fault-rules", "click", async (event) => {
    const button = event.target.closest(".remove-fault");
    if (!button) return;
    const index = Number(button.dataset.index);
    const answer = await replaceRules((rules) => rules.filter((_, i) => i !== index));
    say("fault-result", answer.ok ? `Rule #${index} removed.` : problem(answer), answer.ok);
    await refreshAll();
  });

  on("clear-faults", "click", async () => {
    const answer = await admin("DELETE", "/faults");
    say("fault-result", answer.ok ? "Every fault rule removed." : problem(answer), answer.ok);
    await refreshAll();
  });

  // Tokens ---------------------------------------------------------------------------------------------

  on("token-form", "submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const spec = { kind: data.get("kind") };
    for (const name of ["tenantId", "appId"]) {
      if (data.get(name)) spec[name] = data.get(name);
    }
    for (const name of ["roles", "scp", "wids"]) {
      const values = String(data.get(name) || "").split(/[\s,]+/).filter(Boolean);
      if (values.length) spec[name] = values;
    }
    if (data.get("lifetime")) spec.lifetime = Number(data.get("lifetime"));
    const answer = await admin("POST", "/token", spec);
    const output = document.getElementById("token-output");
    const box = document.getElementById("token-value");
    if (answer.ok && answer.json) {
      box.value = answer.json.access_token;
      output.hidden = false;
      say("token-result", "Minted. Copy it now: it is not kept anywhere.", true);
    } else {
      box.value = "";
      output.hidden = true;
      say("token-result", problem(answer), false);
    }
  });

  on("copy-token", "click", async () => {
    const box = document.getElementById("token-value");
    try {
      await navigator.clipboard.writeText(box.value);
    } catch (_) {
      box.select();
      document.execCommand("copy");
    }
    say("token-result", "Copied to the clipboard.", true);
  });

  // Sign-up simulation --------------------------------------------------------------------------------

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // A document, or a response's text (pretty-printed when it is JSON).
  function json(value) {
    let shown = value;
    if (typeof value === "string") {
      try {
        shown = JSON.parse(value);
      } catch (_) {
        return element("pre", "json", value);
      }
    }
    return element("pre", "json", JSON.stringify(shown, null, 2));
  }

  function callSection(step) {
    const section = element("section", `call outcome-${step.outcome}`);
    section.append(element("h3", "", `${step.step}: ${step.outcome}`));
    const verdict = element("dl", "facts");
    const facts = [
      ["Rule", step.rule],
      ["User sees", step.userMessage],
      ["Error code", step.errorCode],
      ["Failure", step.failure],
      ["Attempts", step.attempts],
    ];
    for (const [name, value] of facts) {
      if (value === null || value === undefined || value === "") continue;
      verdict.append(element("dt", "", name), element("dd", "", String(value)));
    }
    section.append(verdict, element("h4", "", "Request"), json(step.requestBody));
    const status = step.responseStatus === null ? "no response" : `HTTP ${step.responseStatus}`;
    section.append(element("h4", "", `Response: ${status}`));
    if (step.responseBody) section.append(json(step.responseBody));
    for (const [name, claims] of [
      ["Prefilled claims", step.prefilledClaims],
      ["Overwritten claims", step.overwrittenClaims],
      ["Ignored claims", step.ignoredClaims],
    ]) {
      if (claims && Object.keys(claims).length) section.append(element("h4", "", name), json(claims));
    }
    return section;
  }

  function showSimulation(result) {
    const container = document.getElementById("simulation");
    container.replaceChildren();
    const steps = result.steps || [result];
    if (result.steps) {
      const done = result.completed ? "The sign-up completed." : "The sign-up stopped.";
      container.append(element("p", result.completed ? "verdict ok" : "verdict bad", done));
    }
    for (const step of steps) container.append(callSection(step));
    if (result.claims && Object.keys(result.claims).length) {
      container.append(element("h4", "", "Claims at the end"), json(result.claims));
    }
  }

  function parsed(text, name) {
    try {
      return text.trim() ? JSON.parse(text) : {};
    } catch (error) {
      throw new Error(`${name} is not JSON: ${error.message}`);
    }
  }

  on("simulate-form", "submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const [tenantId, userFlowId] = String(data.get("flow")).split(" ");
    let body;
    try {
      body = {
        userFlowId,
        tenantId,
        user: parsed(String(data.get("user")), "The user"),
        settings: parsed(String(data.get("settings")), "The settings"),
      };
    } catch (error) {
      say("simulate-result", error.message, false);
      return;
    }
    if (data.get("step")) body.step = data.get("step");
    say("simulate-result", "Running…", true);
    const answer = await admin("POST", "/simulate", body);
    if (answer.ok && answer.json) {
      say("simulate-result", `Simulated ${userFlowId}.`, true);
      showSimulation(answer.json);
    } else {
      document.getElementById("simulation").replaceChildren();
      say("simulate-result", problem(answer), false);
    }
  });
})();
