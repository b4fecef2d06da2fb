// The print button of a printable page (the A4 label sheet), wired here
// because the pages' Content-Security-Policy runs no inline script.
document.getElementById('print')?.addEventListener('click', () => window.print());
