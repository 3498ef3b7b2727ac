// Baton's page script: keeps the inbox and instance pages current without a reload.
// The server renders every fragment (escaped); this only swaps them in.
"use strict";
(function () {
  const live = document.querySelector("[data-live]");
  if (!live) return;
  const source = live.getAttribute("data-live");
  let pending = false;
  async function refresh() {
    if (pending) return;
    pending = true;
    try {
      const response = await fetch(source, { headers: { "Accept": "text/html" }, credentials: "same-origin" });
      if (response.ok) {
        live.innerHTML = await response.text();
        live.setAttribute("data-refreshed", String(Date.now()));
      }
    } finally {
      pending = false;
    }
  }
  if (window.EventSource) {
    const events = new EventSource("/events");
    events.addEventListener("changed", refresh);
    // If the stream breaks, EventSource reconnects by itself; poll meanwhile.
    events.onerror = () => setTimeout(refresh, 5000);
  } else {
    setInterval(refresh, 5000);
  }
})();
