// make preview: reload when the gallery was rebuilt (a template, the branding or
// CLIENT_SETTINGS changed). The server answers /__version with the build's number.
(() => {
  let seen = null;
  const poll = async () => {
    try {
      const r = await fetch('/__version', { cache: 'no-store' });
      const v = await r.text();
      if (seen !== null && v !== seen) location.reload();
      seen = v;
    } catch (_) { /* the server restarts: keep polling */ }
    setTimeout(poll, 1000);
  };
  poll();
})();
