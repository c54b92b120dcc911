// Watch a report being built; reload when it is ready. Polling is background
// traffic, so it never keeps an unattended session alive.
const watched = document.querySelector("[data-report-status-url]");
if (watched) {
  const bar = watched.querySelector("[data-report-progress]");
  const box = watched.querySelector("[role=progressbar]");
  const state = watched.querySelector("[data-report-state]");
  const show = (progress, label) => {
    bar.style.width = `${progress}%`;
    box.setAttribute("aria-valuenow", progress);
    if (label) state.textContent = label;
  };
  show(Number(box.getAttribute("aria-valuenow")) || 0);
  const poll = () => {
    fetch(watched.dataset.reportStatusUrl, {
      headers: { "X-CHWLink-Background": "1", Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data) return;
        show(data.progress, data.status_label);
        if (data.status === "done" || data.status === "failed") {
          window.location.reload();
        }
      })
      .catch(() => {});
  };
  window.setInterval(poll, 1500);
}
