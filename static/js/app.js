// Small progressive enhancements; every page also works without JavaScript.
// requestSubmit, not submit: the form's submit listeners run (see the language
// switch below, which carries what was typed on the page).
document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
  select.addEventListener("change", () => select.form.requestSubmit());
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

// Multi-line fields say how much room is left. The browser would cut a pasted text
// at the field's limit without a word, so the limit moves to the counter: past it,
// the counter says by how much, and the server refuses the text and shows it back.
const texts = document.getElementById("page-texts");
document.querySelectorAll("textarea[maxlength]").forEach((area, index) => {
  if (!texts) return;
  const limit = Number(area.getAttribute("maxlength"));
  area.removeAttribute("maxlength");
  const counter = document.createElement("div");
  counter.className = "form-text text-end";
  counter.id = area.id ? `${area.id}-count` : `text-count-${index}`;
  counter.dataset.charCount = "";
  counter.setAttribute("aria-live", "polite");
  const format = (number) => number.toLocaleString(document.documentElement.lang);
  const update = () => {
    const used = area.value.length;
    const over = used > limit;
    const template = over ? texts.dataset.countOver : texts.dataset.count;
    counter.textContent = template
      .replace("{used}", format(used))
      .replace("{limit}", format(limit))
      .replace("{over}", format(used - limit));
    counter.classList.toggle("text-danger", over);
    counter.classList.toggle("fw-semibold", over);
    // Marked invalid while too long, without clearing an error the server gave.
    if (over && !area.dataset.tooLong) {
      area.dataset.tooLong = area.classList.contains("is-invalid") ? "kept" : "added";
      area.classList.add("is-invalid");
    } else if (area.dataset.tooLong === "added") {
      area.classList.remove("is-invalid");
      delete area.dataset.tooLong;
    }
  };
  area.setAttribute(
    "aria-describedby",
    [area.getAttribute("aria-describedby"), counter.id].filter(Boolean).join(" "),
  );
  area.insertAdjacentElement("afterend", counter);
  area.addEventListener("input", update);
  update();
});

// Switching language reloads the page in the other language: what was typed into
// a form on it comes along. It waits in this tab's session storage only for the
// reload, which puts it back and removes it.
const CARRY_KEY = `chwlink-carry:${window.location.pathname}${window.location.search}`;
const CARRIED_TYPES = new Set(["hidden", "password", "file", "submit", "button"]);
const carriable = (field) =>
  field.name && !CARRIED_TYPES.has(field.type) && field.name !== "csrfmiddlewaretoken";
const languageForm = document.querySelector("#language-select")?.form;
const touched = new Set();
document.addEventListener("input", (event) => {
  const form = event.target.form;
  if (form && form !== languageForm) touched.add(form);
});
if (languageForm) {
  languageForm.addEventListener("submit", () => {
    const forms = [...document.forms];
    const carried = [...touched].map((form) => ({
      index: forms.indexOf(form),
      fields: [...form.elements].filter(carriable).map((field) => ({
        name: field.name,
        value: field.value,
        checked: field.checked,
      })),
    }));
    if (carried.length) {
      window.sessionStorage.setItem(CARRY_KEY, JSON.stringify(carried));
    }
  });
}
const carried = window.sessionStorage.getItem(CARRY_KEY);
if (carried) {
  window.sessionStorage.removeItem(CARRY_KEY);
  JSON.parse(carried).forEach(({ index, fields }) => {
    const form = document.forms[index];
    if (!form) return;
    fields.forEach(({ name, value, checked }) => {
      [...form.elements]
        .filter((field) => field.name === name && carriable(field))
        .forEach((field) => {
          if (field.type === "checkbox" || field.type === "radio") {
            if (field.value === value) field.checked = checked;
          } else if (field.multiple) {
            return;
          } else {
            field.value = value;
          }
          field.dispatchEvent(new Event("input", { bubbles: true }));
        });
    });
  });
}

// Ticking a pathway step updates the step in place; should the request fail, the
// form is sent the ordinary way (a page reload that shows why). Listening while
// the event comes down (capture) runs this before the once-only guard above.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-step-toggle]");
  if (!form) return;
  event.preventDefault();
  const item = form.closest("li");
  const summary = document.querySelector("[data-steps-summary]");
  fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { "X-CHWLink-Fragment": "step", Accept: "application/json" },
    credentials: "same-origin",
  })
    .then((response) => (response.ok ? response.json() : Promise.reject(response)))
    .then((data) => {
      item.outerHTML = data.step;
      if (summary) summary.innerHTML = data.summary;
      const replaced = document.getElementById(item.id);
      replaced?.querySelector("button")?.focus();
    })
    .catch(() => form.submit());
}, true);
