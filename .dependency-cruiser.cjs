// The shape of src/, checked by `npm run deps` (part of `npm test`): no import cycle, and every
// import points down the layers below. A stage imports only the stages before it in the pipeline
// (ingest → diff → match → relevance → digest → render → deliver: deliver renders with render,
// render shows a digest's papers, ...), the data types of model/, the database (db/) and the
// services under it; db/ imports no stage. Above the stages: the use cases (subscriptions/, then
// privacy/, whose erase the reader's "delete my data" runs), then web/, then app/ — the one composition root, which builds every service and hands
// each layer the narrow part it declares (web/context.ts, subscriptions/deps.ts,
// privacy/subscriber-data.ts) — and cli/ on top, which starts the root. So web/, subscriptions/
// and privacy/ never import app/, and app/ never imports cli/.

/** Bottom to top: a folder may import its own layer and those below it, never one above. */
const LAYERS = [
  ['model', 'log', 'security', 'config'],
  ['db'],
  ['observe'],
  ['ingest'],
  ['diff'],
  ['match'],
  ['relevance'],
  ['digest'],
  ['render'],
  ['deliver', 'inbound'],
  ['feeds', 'jobs'],
  ['subscriptions'],
  ['privacy'],
  ['web'],
  ['app'],
  ['cli'],
];

const folders = (layers) => `^src/(${layers.flat().join('|')})/`;

const layering = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `${layer.join('-')}-imports-no-layer-above`,
  comment: `${layer.join(', ')} may import ${LAYERS.slice(0, i).flat().join(', ') || 'only each other'} (and each other), nothing above`,
  severity: 'error',
  from: { path: folders(layer) },
  to: { path: folders(LAYERS.slice(i + 1)) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'modules that import each other, directly or through others (type-only imports count)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layering,
    {
      name: 'every-folder-has-a-layer',
      comment: 'a new folder of src/ needs its place in LAYERS (.dependency-cruiser.cjs)',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: folders(LAYERS) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/db/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
