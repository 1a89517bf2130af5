// URLs as people may see them: without credentials and without a query string or fragment, which
// is where API keys and tokens live ("https://user:pass@host/api?apikey=…" → "https://***@host/api?***").
// Everything shown or logged about a source (logs, /healthz, the admin API, the CLI, stored rows)
// goes through here; the full URL is only ever handed to fetch.

const HIDDEN = '***';

/** A URL with its credentials and query replaced by ***; anything else (a path) unchanged. */
export function redactUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not parseable: keep the scheme and host-looking part only.
    return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)(?:[^/@?#]*@)?([^/?#]*).*$/i, `$1$2/${HIDDEN}`);
  }
  const credentials = url.username || url.password ? `${HIDDEN}@` : '';
  const query = url.search || text.includes('?') ? `?${HIDDEN}` : '';
  const fragment = url.hash ? `#${HIDDEN}` : '';
  return `${url.protocol}//${credentials}${url.host}${url.pathname}${query}${fragment}`;
}

/** Every URL inside a message redacted ("fetch https://u:p@h/x?k=1 failed" → "fetch https://***@h/x?*** failed"). */
export function redactUrlsIn(text: string): string {
  return text.includes('://') ? text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url)) : text;
}
