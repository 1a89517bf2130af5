// A small parser of the Prometheus text exposition format (what /metrics serves), enough for tests:
// every sample as { name, labels, value }, and HELP/TYPE seen for each family.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      else if (!/^# HELP \S+ /.test(line)) throw new Error(`line ${i + 1}: not a HELP or TYPE comment: ${line}`);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    // Prometheus reads values with Go's ParseFloat: "NaN" in any case (prom-client writes "Nan"), ±Inf
    const text = m[3]!;
    const value = /^nan$/i.test(text) ? NaN : /^\+?inf$/i.test(text) ? Infinity : /^-inf$/i.test(text) ? -Infinity : Number(text);
    if (Number.isNaN(value) && !/^nan$/i.test(text)) throw new Error(`line ${i + 1}: bad value ${text}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, types };
}

/** The value of the sample with this name and (at least) these labels; 0 when absent. */
export function metricValue(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const sample = exposition.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return sample?.value ?? 0;
}
