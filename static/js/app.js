// Small progressive enhancements; every page also works without JavaScript.
document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
document.querySelectorAll("[data-confirm]").forEach((element) => {
  element.addEventListener("click", (event) => {
    if (!window.confirm(element.dataset.confirm)) {
      event.preventDefault();
    }
  });
});

// Unread notifications in the navigation bar. The request is marked as background
// so polling never keeps an unattended session alive.
const unreadLink = document.querySelector("[data-unread-url]");
if (unreadLink) {
  const badge = unreadLink.querySelector("[data-unread-badge]");
  const count = unreadLink.querySelector("[data-unread-count]");
  const refresh = () => {
    fetch(unreadLink.dataset.unreadUrl, {
      headers: { "X-CHWLink-Background": "1", Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data) return;
        count.textContent = data.unread;
        badge.classList.toggle("d-none", data.unread === 0);
      })
      .catch(() => {});
  };
  refresh();
  window.setInterval(refresh, 60000);
}
