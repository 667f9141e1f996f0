// Small enhancements; every page also works without them.
(function () {
  "use strict";
  const csrf = () => (document.querySelector('input[name="csrf"]') || {}).value || "";

  // "Go back" on error pages returns to the page the visitor came from (the link itself goes to a safe page).
  document.querySelectorAll("a[data-back]").forEach((link) => {
    link.addEventListener("click", (event) => { if (history.length > 1) { event.preventDefault(); history.back(); } });
  });

  // Confirm destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => { if (!confirm(form.dataset.confirm)) event.preventDefault(); });
  });

  // Live validation: the server checks the form with the same rules as saving, nothing is stored.
  document.querySelectorAll("form[data-validate]").forEach((form) => {
    let timer = null;
    const status = form.querySelector(".live-status");
    const check = async () => {
      const response = await fetch(form.dataset.validate, { method: "POST", body: new FormData(form),
        headers: { "X-CSRF-Token": csrf() } });
      if (!response.ok) return;
      const errors = (await response.json()).errors || {};
      form.querySelectorAll(".field-error").forEach((span) => {
        const name = span.dataset.for;
        const messages = errors[name] || [];
        span.textContent = messages.join("; ");
        const input = form.querySelector(`[name="${name}"]`);
        if (input) input.setAttribute("aria-invalid", messages.length ? "true" : "false");
      });
      const count = Object.values(errors).reduce((n, list) => n + list.length, 0);
      if (status) status.textContent = count ? `${count} problem(s) to fix before saving` : "Looks good.";
    };
    form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 350); });
  });

  // Another empty requirement row on the bid form.
  document.querySelectorAll("[data-add-row]").forEach((button) => {
    button.addEventListener("click", () => {
      const table = document.getElementById(button.dataset.addRow);
      const rows = table.querySelectorAll("tbody tr");
      const counter = button.form.querySelector('input[name="requirement_rows"]');
      const index = rows.length;
      const copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach((input) => {
        input.name = input.name.replace(/^req-\d+-/, `req-${index}-`);
        if (input.type === "checkbox") input.checked = input.name.endsWith("-mandatory"); else input.value = "";
      });
      copy.querySelectorAll(".field-error").forEach((span) => { span.textContent = ""; });
      table.querySelector("tbody").appendChild(copy);
      counter.value = String(index + 1);
    });
  });

  // Proposal generation: poll the job and show progress against the time limit.
  const job = document.getElementById("job");
  if (job && !["finished", "failed"].includes(job.dataset.status)) {
    const bar = job.querySelector("progress");
    const text = job.querySelector(".job-status");
    const limit = parseFloat(job.dataset.limit) || 30;
    const began = Date.now();
    const poll = async () => {
      const response = await fetch(`/jobs/${job.dataset.job}/status`, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const state = await response.json();
        if (state.status === "finished") { bar.value = 100; text.textContent = "Done; opening the proposals…"; window.location = job.dataset.doneUrl; return; }
        if (state.status === "failed") { bar.value = 100; text.textContent = `Failed: ${state.error}`; return; }
        const elapsed = (Date.now() - began) / 1000;
        bar.value = Math.min(95, 100 * elapsed / (limit + 5));
        text.textContent = `${state.status === "running" ? "Solving" : "Waiting for a free solver"}… ${elapsed.toFixed(0)} s (time limit ${limit} s)`;
      }
      setTimeout(poll, 500);
    };
    poll();
  }

  // PDF downloads: rendering takes a few seconds, so the page says it is preparing the PDF until it arrives.
  // Where the server answers with an error page, the browser opens it as it would without this script.
  const download = async (url, trigger, status) => {
    if (trigger.getAttribute("aria-busy") === "true") return;
    trigger.setAttribute("aria-busy", "true");
    status.className = "download-status busy";
    status.textContent = "Preparing PDF…";
    try {
      const response = await fetch(url, { headers: { Accept: "application/pdf" } });
      if (!response.ok || !(response.headers.get("content-type") || "").startsWith("application/pdf")) {
        window.location = url;
        return;
      }
      const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "");
      const link = document.createElement("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = name ? name[1] : "document.pdf";
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
      status.className = "download-status done";
      status.textContent = `PDF ready: ${link.download}`;
    } catch (error) {
      status.className = "download-status failed";
      status.textContent = "The PDF could not be prepared; try again.";
    } finally {
      trigger.removeAttribute("aria-busy");
    }
  };
  document.querySelectorAll("a[data-download]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const status = document.getElementById(link.dataset.download);
      if (!status) return;
      event.preventDefault();
      download(link.href, link, status);
    });
  });
  document.querySelectorAll("form[data-download]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const status = document.getElementById(form.dataset.download);
      if (!status) return;
      event.preventDefault();
      const query = new URLSearchParams(new FormData(form)).toString();
      download(`${form.action}?${query}`, form, status);
    });
  });

  // On a phone the lists' rows are stacked (app.css); each cell then shows its column's heading.
  document.querySelectorAll("table.list").forEach((table) => {
    const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    if (!headings.length) return;
    table.querySelectorAll("tbody tr").forEach((row) => {
      let column = 0;
      [...row.cells].forEach((cell) => {
        if (!cell.dataset.label && headings[column]) cell.dataset.label = headings[column];
        column += cell.colSpan || 1;
      });
    });
  });
})();
