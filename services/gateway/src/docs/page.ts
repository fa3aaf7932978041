/** A tiny viewer for /docs/openapi.json: one page, one same-origin script, no external assets. */
export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MedVault API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem">
<h1 id="title">MedVault API</h1><p id="desc"></p>
<p><a href="/docs/openapi.json">openapi.json</a></p>
<main id="ops">Loading…</main>
<script src="/docs/app.js"></script>
</body></html>`;

export const DOCS_JS = `(async function () {
  const el = (tag, text, style) => { const e = document.createElement(tag); if (text) e.textContent = text; if (style) e.setAttribute('style', style); return e; };
  const doc = await (await fetch('/docs/openapi.json')).json();
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('desc').textContent = doc.info.description || '';
  const main = document.getElementById('ops'); main.textContent = '';
  const byTag = {};
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
    const tag = (op.tags && op.tags[0]) || 'other'; (byTag[tag] = byTag[tag] || []).push({ path, method, op });
  }
  for (const [tag, ops] of Object.entries(byTag)) {
    main.appendChild(el('h2', tag));
    for (const { path, method, op } of ops) {
      const d = el('details', null, 'margin:.3rem 0;border:1px solid #ccc;border-radius:4px;padding:.3rem .6rem');
      const s = el('summary'); s.appendChild(el('code', method.toUpperCase() + ' ' + path, 'font-weight:bold')); s.appendChild(el('span', ' ' + (op.summary || '')));
      d.appendChild(s);
      d.appendChild(el('pre', JSON.stringify({ parameters: op.parameters, requestBody: op.requestBody, responses: op.responses }, null, 2), 'overflow:auto;font-size:12px;background:#f6f6f6;padding:.5rem'));
      main.appendChild(d);
    }
  }
})();`;
