// CareLine dashboard: adding a document on a verification request's page. The form (hidden
// until this script shows it, as it needs the script) sends the chosen file as the request
// body with its own Content-Type, the session's CSRF header, and its name percent-encoded in
// X-Filename: the name may be PHI, so it never goes in a URL. The server hands it to the
// API's upload, whose answer is shown here; on success the document list is fetched again.
(function () {
  "use strict";

  function reveal() {
    document.querySelectorAll("form[data-upload][hidden]").forEach(function (f) {
      f.hidden = false;
    });
  }

  function csrf() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
    } catch (e) {
      return "";
    }
  }

  function upload(form) {
    var input = form.querySelector("input[type=file]");
    var status = form.querySelector("[role=status]");
    var button = form.querySelector("button");
    var file = input.files && input.files[0];
    if (!file) {
      status.textContent = "Choose a file first.";
      input.focus();
      return;
    }
    button.disabled = true;
    status.textContent = "Uploading " + file.name + "…";
    fetch(form.getAttribute("data-upload"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": file.type || "application/octet-stream",
        "X-CSRF-Token": csrf(),
        "X-Filename": encodeURIComponent(file.name)
      },
      body: file
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (res.status === 201) {
          status.textContent = "Uploaded " + file.name + ".";
          input.value = "";
          if (window.htmx) {
            window.htmx.ajax("GET", window.location.pathname, {
              target: "#doc-list", select: "#doc-list", swap: "outerHTML"
            });
          }
        } else {
          var msg = body && body.error && body.error.message;
          status.textContent = "Not uploaded: " + (msg || "the server answered " + res.status) + ".";
        }
      });
    }).catch(function () {
      status.textContent = "Not uploaded: the server could not be reached.";
    }).then(function () {
      button.disabled = false;
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form[data-upload]")) { return; }
    e.preventDefault();
    upload(form);
  });
  // A live update replaces the page's parts: show the new form too.
  document.addEventListener("htmx:afterSettle", reveal);
  reveal();
})();
