// The text model as it is stored and shared (CONTEXT.md: text model): its shape, its empty state and
// its bytes in the database. What it counts and how it is read is relevance/text-model.ts. Pure.

/** The text of a paper the model reads. */
export interface PaperText {
  title: string;
  abstract: string;
  /** the daily papers API's ai_keywords (empty for text captures) */
  keywords?: readonly string[];
}

/** 2^18 buckets × 4 bytes: 1 MiB, whatever the corpus (bench/README.md "relevance": collisions measured). */
export const DEFAULT_BUCKETS = 1 << 18;

export interface TextModel {
  buckets: number;
  /** stored papers counted */
  documents: number;
  /** per bucket: how many of them contain a term of that bucket */
  df: Int32Array;
}

export function emptyTextModel(buckets = DEFAULT_BUCKETS): TextModel {
  return { buckets, documents: 0, df: new Int32Array(buckets) };
}

/** The df counts as bytes for the database (little-endian int32 per bucket) and back. */
const LITTLE_ENDIAN = new Uint8Array(Int32Array.of(1).buffer)[0] === 1;

export function encodeDf(model: TextModel): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(model.df.slice().buffer);
  const out = Buffer.alloc(model.buckets * 4);
  for (let b = 0; b < model.buckets; b++) out.writeInt32LE(model.df[b]!, b * 4);
  return out;
}

export function decodeDf(bytes: Uint8Array, buckets: number): Int32Array {
  if (bytes.length !== buckets * 4) throw new Error(`text model: ${bytes.length} bytes of counts for ${buckets} buckets`);
  if (LITTLE_ENDIAN) return new Int32Array(Uint8Array.from(bytes).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const df = new Int32Array(buckets);
  for (let b = 0; b < buckets; b++) df[b] = view.getInt32(b * 4, true);
  return df;
}
