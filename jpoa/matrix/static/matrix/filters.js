// The matrix filters are folded (a <details>) so that on a phone the matrix comes first;
// on a wider screen they start open. Without JavaScript they are one click away.
if (window.matchMedia("(min-width: 40rem)").matches) {
  for (const box of document.querySelectorAll("details.matrix-filters")) {
    box.open = true;
  }
}
