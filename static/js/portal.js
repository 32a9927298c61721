// The portal's own script: small, no inline code (CSP). Pages work without it.
// Forms marked data-confirm ask before doing something that cannot be undone.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
