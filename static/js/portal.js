// The portal's own script: small, no inline code (CSP). Pages work without it.
// Forms marked data-confirm ask first, in the DSFR dialog of the base template
// (templates/includes/_confirm_dialog.html): the question is written as text, never as HTML.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset && form.dataset.confirm;
  const dialog = document.getElementById("portal-confirm");
  if (!question || !dialog || form.dataset.confirmed === "yes") {
    return;
  }
  event.preventDefault();
  const submitter = event.submitter || null;
  document.getElementById("portal-confirm-question").textContent = question;
  const answer = (confirmed) => {
    dialog.classList.remove("fr-modal--opened");
    dialog.close();
    if (confirmed) {
      form.dataset.confirmed = "yes";
      form.requestSubmit(submitter);
    }
  };
  dialog.querySelectorAll("[data-portal-confirm]").forEach((button) => {
    button.onclick = () => answer(button.dataset.portalConfirm === "yes");
  });
  dialog.oncancel = (cancel) => {
    cancel.preventDefault();
    answer(false);
  };
  dialog.classList.add("fr-modal--opened");
  dialog.showModal();
  dialog.querySelector("[data-portal-confirm='yes']").focus();
});
