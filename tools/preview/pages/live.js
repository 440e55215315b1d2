// make preview: reload when a later build of the gallery is in place (a template, the
// branding or CLIENT_SETTINGS changed). The page carries the number of its own build; the
// server answers /__version with the number of the build in place.
(() => {
  const meta = document.querySelector('meta[name="preview-build"]');
  const shown = Number(meta ? meta.content : 0);
  const poll = async () => {
    try {
      const r = await fetch('/__version', { cache: 'no-store' });
      if (Number(await r.text()) > shown) {
        location.reload();
        return;
      }
    } catch (_) { /* the server restarts: keep polling */ }
    setTimeout(poll, 1000);
  };
  poll();
})();
