// Small progressive enhancements; every page also works without JavaScript.
document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
// A download that waited for the password: the file comes as an attachment, so
// the page stays where the user was (chwlink/lib/reauthenticated_downloads.py).
const pendingDownload = document.querySelector("[data-start-download]");
if (pendingDownload) {
  window.location.assign(pendingDownload.href);
}
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

// A form is sent once: while a POST is on its way its submit buttons are disabled,
// so a double click sends one request (the server refuses a second copy anyway, see
// chwlink/lib/submissions.py). A disabled button sends nothing, so the pressed
// button's name and value travel in a hidden field ("Save draft" and "Submit to the
// CBO" share one form). Listening on the document runs after the forms' own
// handlers: a form that a script sends itself (preventDefault) is left alone.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.method.toLowerCase() !== "post") return;
  const pressed = event.submitter;
  if (pressed && pressed.name) {
    const copy = document.createElement("input");
    copy.type = "hidden";
    copy.name = pressed.name;
    copy.value = pressed.value;
    copy.dataset.pressedButton = "";
    form.append(copy);
  }
  form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]")
    .forEach((button) => {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    });
});
// Coming back with the browser's Back button shows the page as it was left.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("[data-pressed-button]").forEach((copy) => copy.remove());
  document.querySelectorAll("form button[aria-disabled], form input[aria-disabled]")
    .forEach((button) => {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    });
});
