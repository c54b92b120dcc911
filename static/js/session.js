// Warns before the signed-in session ends and offers to stay signed in.
// The server decides: the page only asks it how long is left. Asking is a
// background request, so it never keeps an unattended session alive; "Stay signed
// in" is an ordinary request, which counts as activity.
(() => {
  const body = document.body;
  const dialog = document.querySelector("[data-session-warning]");
  if (!body.dataset.sessionUrl || !dialog || !window.bootstrap) return;

  const statusUrl = body.dataset.sessionUrl;
  const warningSeconds = Number(body.dataset.warningSeconds);
  const modal = window.bootstrap.Modal.getOrCreateInstance(dialog);
  const countdowns = dialog.querySelectorAll("[data-session-countdown]");
  const keepAlive = dialog.querySelector("[data-session-keep-alive]");
  const closeButton = dialog.querySelector("[data-session-close]");
  const idleText = dialog.querySelector("[data-session-idle-text]");
  const capText = dialog.querySelector("[data-session-cap-text]");
  let deadline = 0;
  let checkTimer = 0;
  let tickTimer = 0;

  const signIn = () => window.location.assign(body.dataset.signInUrl);

  // Resolves to the seconds left, or to null once the session has ended (the
  // server then redirects to the sign-in page). The redirect is not followed, so
  // the sign-in page still shows why the user was signed out.
  const ask = (options) =>
    fetch(statusUrl, { credentials: "same-origin", redirect: "manual", ...options })
      .then((response) => (response.ok ? response.json() : null))
      .then((left) =>
        left && Number.isFinite(left.idle) && Number.isFinite(left.absolute) ? left : null,
      );

  const showCountdown = () => {
    const seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    countdowns.forEach((element) => {
      element.textContent = text;
    });
  };

  const warn = (capped) => {
    idleText.classList.toggle("d-none", capped);
    capText.classList.toggle("d-none", !capped);
    keepAlive.classList.toggle("d-none", capped);
    closeButton.classList.toggle("d-none", !capped);
    showCountdown();
    window.clearInterval(tickTimer);
    tickTimer = window.setInterval(showCountdown, 1000);
    if (!dialog.classList.contains("show")) modal.show();
  };

  const stopWarning = () => {
    window.clearInterval(tickTimer);
    if (dialog.classList.contains("show")) modal.hide();
  };

  let check;
  const schedule = (left) => {
    if (!left) {
      signIn();
      return;
    }
    const seconds = Math.min(left.idle, left.absolute);
    deadline = Date.now() + seconds * 1000;
    window.clearTimeout(checkTimer);
    if (seconds > warningSeconds) {
      stopWarning();
      checkTimer = window.setTimeout(check, (seconds - warningSeconds) * 1000);
    } else {
      warn(left.absolute <= left.idle);
      // Ask again just after the end: another tab may have kept the session alive.
      checkTimer = window.setTimeout(check, (seconds + 1) * 1000);
    }
  };

  // A network failure is not a sign-out: try again shortly.
  const retry = () => {
    checkTimer = window.setTimeout(check, 15000);
  };

  check = () => {
    ask({ headers: { "X-CHWLink-Background": "1", Accept: "application/json" } })
      .then(schedule)
      .catch(retry);
  };

  keepAlive.addEventListener("submit", (event) => {
    event.preventDefault();
    ask({
      method: "POST",
      body: new FormData(keepAlive),
      headers: { Accept: "application/json" },
    })
      .then(schedule)
      .catch(retry);
  });

  schedule({
    idle: Number(body.dataset.idleSeconds),
    absolute: Number(body.dataset.absoluteSeconds),
  });
})();
