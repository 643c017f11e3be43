// With JavaScript, the search boxes go to the search page; without it they
// lead to the A to Z index (their plain form action).
document.querySelectorAll("form[data-search-action]").forEach(function (form) {
  form.setAttribute("action", form.getAttribute("data-search-action"));
});
