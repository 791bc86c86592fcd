/* Small form behaviours without inline handlers (the pages allow no inline script):
   a <select data-autosubmit> sends its form as soon as it changes. */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var field = e.target;
    if (field && field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.submit();
  });
})();
