// The fields of a small multipart/form-data body. RFC 8058 says a mail client's one-click POST
// SHOULD be multipart/form-data (and MAY be urlencoded), so POST /unsubscribe reads both; the body
// is at most 16 kB (express.raw's limit), files are ignored. Pure.

/** `name → value` of the non-file parts; null when the body is not multipart as declared. */
export function multipartFields(contentType: string, body: Buffer): Record<string, string> | null {
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) return null;
  const text = body.toString('utf8');
  const delimiter = `--${mark}`;
  const chunks = text.split(delimiter);
  if (chunks.length < 2) return null;
  const fields: Record<string, string> = {};
  // chunks[0] is the preamble; the last one starts with "--" (the close delimiter)
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    const part = chunk.replace(/^\r?\n/, '');
    const split = /\r?\n\r?\n/.exec(part);
    if (!split) continue;
    const head = part.slice(0, split.index);
    const value = part.slice(split.index + split[0].length).replace(/\r?\n$/, '');
    const disposition = head.split(/\r?\n/).find((l) => /^content-disposition:/i.test(l));
    if (!disposition || /;\s*filename\*?=/i.test(disposition)) continue;
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? /;\s*name=([^\s;]+)/i.exec(disposition)?.[1];
    if (name !== undefined && !(name in fields)) fields[name] = value;
  }
  return fields;
}
