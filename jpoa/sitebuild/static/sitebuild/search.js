// The static site's search: the page's index (search-index.js, loaded before this file)
// holds the title, section and text of every page; every word typed must occur in a
// page for it to be listed, pages whose title holds the words first.
(function () {
  "use strict";

  var index = window.jpoaSearchIndex;
  var form = document.querySelector("form.static-search");
  var input = document.getElementById("static-search-q");
  var status = document.getElementById("static-search-status");
  var list = document.getElementById("static-search-results");
  var LIMIT = 50;

  // Case, accents and ё/е do not matter.
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ё/g, "е");
  }

  var pages = index ? index.pages.map(function (page) {
    return { page: page, title: fold(page.title), text: fold(page.text) };
  }) : [];

  function score(item, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var inTitle = item.title.indexOf(words[i]) !== -1;
      if (!inTitle && item.text.indexOf(words[i]) === -1) return 0;
      total += inTitle ? 10 : 1;
    }
    return total;
  }

  // A piece of the page's text around the first word found, with the words marked.
  function snippet(page, words) {
    var text = page.text;
    var folded = fold(text);
    var at = -1;
    for (var i = 0; i < words.length && at === -1; i++) at = folded.indexOf(words[i]);
    var start = Math.max(0, at - 60);
    var piece = (start > 0 ? "… " : "") + text.slice(start, start + 200) + (text.length > start + 200 ? " …" : "");
    var foldedPiece = fold(piece);
    var p = document.createElement("p");
    var pos = 0;
    while (pos < piece.length) {
      var next = -1, length = 0;
      for (var w = 0; w < words.length; w++) {
        var found = foldedPiece.indexOf(words[w], pos);
        if (found !== -1 && (next === -1 || found < next)) { next = found; length = words[w].length; }
      }
      if (next === -1) { p.appendChild(document.createTextNode(piece.slice(pos))); break; }
      p.appendChild(document.createTextNode(piece.slice(pos, next)));
      var mark = document.createElement("mark");
      mark.textContent = piece.slice(next, next + length);
      p.appendChild(mark);
      pos = next + length;
    }
    return p;
  }

  function say(template, n) {
    status.textContent = template.replace("%(n)s", n);
  }

  function search(query) {
    list.textContent = "";
    var words = fold(query).split(/\s+/).filter(Boolean);
    if (!words.length) { status.textContent = ""; return; }
    if (!index) { say(status.dataset.loading, 0); return; }
    var found = pages
      .map(function (item) { return { item: item, score: score(item, words) }; })
      .filter(function (hit) { return hit.score > 0; })
      .sort(function (a, b) { return b.score - a.score || a.item.page.title.localeCompare(b.item.page.title); });
    say(found.length === 0 ? status.dataset.none : status.dataset.count, found.length);
    found.slice(0, LIMIT).forEach(function (hit) {
      var page = hit.item.page;
      var li = document.createElement("li");
      li.className = "resource";
      if (page.section) {
        var kicker = document.createElement("p");
        kicker.className = "kicker";
        kicker.textContent = page.section;
        li.appendChild(kicker);
      }
      var heading = document.createElement("h2");
      var link = document.createElement("a");
      link.href = page.url;
      link.textContent = page.title;
      heading.appendChild(link);
      li.appendChild(heading);
      if (page.text) li.appendChild(snippet(page, words));
      list.appendChild(li);
    });
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  search(query);
  // Searching again stays on the page (no reload), and the address keeps the words.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = new URLSearchParams({ q: input.value });
    try {
      window.history.replaceState(null, "", "?" + params.toString());
    } catch (error) {
      // Some browsers refuse to change the address of a page opened from disk.
    }
    search(input.value);
  });
})();
