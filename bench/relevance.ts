// npm run bench -- relevance — the evaluation of issue 20: simulated readers with hidden interests
// get 30 days of digests of real papers, give feedback on what they see, and their models are
// retrained before each digest. Prints precision@5 and nDCG@10 of each day's digest against topics
// alone, by how much feedback the reader had given, and the target. bench/README.md "relevance".
import { findCorpus, loadArxivCorpus, loadSeedPapers, CORPUS_PLACES, type CorpusPaper } from './relevance/corpus.ts';
import { PROFILES } from './relevance/readers.ts';
import { simulate, type ReaderDay, type SimulationOptions } from './relevance/simulate.ts';
import { peakRssMb, report, round } from './support/measure.ts';

const TARGET = 'precision@5 ≥ 1.3 × topics alone after 10 feedback events; never below topics alone without feedback';

const file = findCorpus();
if (!file) {
  console.error(`relevance: no evaluation corpus (looked in ${CORPUS_PLACES.join(', ')}); bench/README.md "relevance" says where it comes from`);
  process.exit(1);
}
const corpus: CorpusPaper[] = [...loadSeedPapers(), ...loadArxivCorpus(file)].map((p, i) => ({ ...p, id: i + 1 }));

export const DEFAULTS: SimulationOptions = { days: 30, papersPerDay: 60, readersPerProfile: 10, seed: 7 };

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function summarise(rows: ReaderDay[]) {
  const bucket = (lo: number, hi: number) => {
    const r = rows.filter((x) => x.events >= lo && x.events <= hi);
    const topics = mean(r.map((x) => x.topicsP5));
    const model = mean(r.map((x) => x.modelP5));
    return {
      readerDays: r.length,
      topicsP5: round(topics, 3),
      modelP5: round(model, 3),
      ratioP5: round(model / (topics || 1), 3),
      topicsNdcg10: round(mean(r.map((x) => x.topicsNdcg)), 3),
      modelNdcg10: round(mean(r.map((x) => x.modelNdcg)), 3),
    };
  };
  const nf = rows.reduce((s, x) => s + x.notForYou, 0);
  const nfWanted = rows.reduce((s, x) => s + x.notForYouWanted, 0);
  const al = rows.reduce((s, x) => s + x.alsoLike, 0);
  const alWanted = rows.reduce((s, x) => s + x.alsoLikeWanted, 0);
  const noFeedback = rows.filter((x) => x.events === 0);
  return {
    none: bucket(0, 0),
    few: bucket(1, 4),
    some: bucket(5, 9),
    tenOrMore: bucket(10, Infinity),
    withoutFeedbackIdentical: `${noFeedback.filter((x) => x.identical).length}/${noFeedback.length}`,
    notForYou: { papers: nf, wanted: nfWanted, unwantedShare: round(nf ? (nf - nfWanted) / nf : 0, 3) },
    alsoLike: { papers: al, wanted: alWanted, wantedShare: round(al ? alWanted / al : 0, 3) },
  };
}

if (process.argv[1]?.endsWith('relevance.ts')) {
  const started = performance.now();
  const rows = simulate(corpus, PROFILES, DEFAULTS);
  const s = summarise(rows);
  console.log(`corpus: ${corpus.length} papers (${corpus.filter((p) => p.categories.length).length} with categories, from ${file})`);
  console.log(`${PROFILES.length} profiles × ${DEFAULTS.readersPerProfile} readers, ${DEFAULTS.days} days of ${DEFAULTS.papersPerDay} new papers`);
  console.log('\nday  deliveries  events  p@5 topics  p@5 model  nDCG@10 topics  nDCG@10 model');
  for (let d = 0; d < DEFAULTS.days; d++) {
    const r = rows.filter((x) => x.day === d);
    console.log(
      [
        String(d + 1).padStart(3),
        String(r.length).padStart(11),
        mean(r.map((x) => x.events))
          .toFixed(1)
          .padStart(7),
        ...[r.map((x) => x.topicsP5), r.map((x) => x.modelP5), r.map((x) => x.topicsNdcg), r.map((x) => x.modelNdcg)].map((xs, i) =>
          mean(xs)
            .toFixed(3)
            .padStart(i < 2 ? 11 : 15),
        ),
      ].join(''),
    );
  }
  console.log('\nby feedback events before the digest:');
  for (const [name, b] of Object.entries({ '0': s.none, '1–4': s.few, '5–9': s.some, '≥ 10': s.tenOrMore })) {
    console.log(
      `  ${name.padEnd(5)} ${String(b.readerDays).padStart(5)} reader-days  p@5 ${b.topicsP5} → ${b.modelP5} (×${b.ratioP5})  ` +
        `nDCG@10 ${b.topicsNdcg10} → ${b.modelNdcg10}`,
    );
  }
  const met = s.tenOrMore.ratioP5 >= 1.3 && s.none.ratioP5 >= 1 && s.withoutFeedbackIdentical.split('/')[0] === s.withoutFeedbackIdentical.split('/')[1];
  console.log(`\ntarget: ${TARGET}: ${met ? 'met' : 'NOT met'}`);
  report('relevance', { corpus: corpus.length, ...s, ms: Math.round(performance.now() - started), peakRssMb: peakRssMb(), target: TARGET, met });
}
