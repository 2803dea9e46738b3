// The journal page's live refresh: fetch the page again every 2 s and swap its content in, unless the reader
// has a <details> open (then wait). Without JavaScript the page's <noscript> meta refresh does the same.
const PERIOD_MS = 2000;

async function refresh() {
  const main = document.getElementById('journal');
  const status = document.getElementById('live');
  if (main.querySelector('details[open]')) {
    status.textContent = 'paused while a body is open';
    return;
  }
  try {
    const response = await fetch('/__connmock/', { headers: { accept: 'text/html' }, cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('journal');
    if (fresh) main.replaceChildren(...fresh.childNodes);
    status.textContent = `live, updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    status.textContent = `not updated: ${error.message}`;
  }
}

document.getElementById('live').textContent = 'live';
setInterval(refresh, PERIOD_MS);
