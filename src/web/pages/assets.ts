// The pages' own CSS, JavaScript and icon (src/web/public/), read once when the router is built and
// served from memory under a name that carries a hash of the content: `/assets/site.3f9a1c0b2e.css`.
// A new version is a new URL, so each can be cached for a year. No CDN, no web font: the pages
// work offline and load nothing from another origin.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';

const TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

const ASSET_FILES = ['site.css', 'site.js', 'icon.svg'] as const;
type AssetName = (typeof ASSET_FILES)[number];

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  path: string;
}

export interface Assets {
  /** the URL of an asset, e.g. `/assets/site.3f9a1c0b2e.css` */
  url(name: AssetName): string;
  handler: RequestHandler;
}

export function loadAssets(dir: URL = new URL('../public/', import.meta.url)): Assets {
  const byPath = new Map<string, Asset>();
  const urls = new Map<string, string>();
  for (const name of ASSET_FILES) {
    const body = readFileSync(new URL(name, dir));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    const dot = name.lastIndexOf('.');
    const ext = name.slice(dot + 1);
    const file = `${name.slice(0, dot)}.${hash}.${ext}`;
    byPath.set(file, { body, type: TYPES[ext] ?? 'application/octet-stream', etag: `"${hash}"`, path: `/assets/${file}` });
    urls.set(name, `/assets/${file}`);
  }
  return {
    url: (name) => urls.get(name)!,
    handler: (req, res, next) => {
      const asset = byPath.get(String(req.params.file));
      if (!asset) return next();
      res.set({ 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=31536000, immutable', ETag: asset.etag });
      if (req.headers['if-none-match'] === asset.etag) {
        res.status(304).end();
        return;
      }
      res.send(asset.body);
    },
  };
}
