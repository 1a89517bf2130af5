// Compiled HTML with slots (%%name%%) and blocks (<!--pb:name--> … <!--/pb:name-->), filled by
// string assembly: no String.replace, so values containing $& or $1 or %%slot%% stay literal. A slot
// takes what html`…` takes (render/html.ts): text is escaped, only Html goes in as markup — a filled
// block is Html — so no value reaches an email unescaped by mistake.
import { RenderError } from './errors.ts';
import { Html, renderHtml, type Interpolation } from './html.ts';

/** literals[0] slots[0] literals[1] slots[1] … literals[n] */
export interface Template<S extends string> {
  readonly literals: readonly string[];
  readonly slots: readonly S[];
}

const SLOT = /%%([a-zA-Z][a-zA-Z0-9]*)%%/g;

/** Splits at the slots; throws unless the slots are exactly `expected` (each may occur often). */
export function parseTemplate<S extends string>(html: string, where: string, expected: readonly S[]): Template<S> {
  const literals: string[] = [];
  const slots: S[] = [];
  let at = 0;
  for (const m of html.matchAll(SLOT)) {
    const name = m[1] as S;
    if (!expected.includes(name)) invalid(where, `has an unknown slot %%${name}%%`);
    literals.push(html.slice(at, m.index));
    slots.push(name);
    at = m.index + m[0].length;
  }
  literals.push(html.slice(at));
  const missing = expected.filter((s) => !slots.includes(s));
  if (missing.length > 0) invalid(where, `lacks the slot(s) ${missing.map((s) => `%%${s}%%`).join(', ')}`);
  return { literals, slots };
}

/** Takes a block out of `html`, leaving `replacement` (e.g. a slot for the repeated block) in its place. */
export function cutBlock(html: string, where: string, name: string, replacement = ''): { html: string; block: string } {
  const open = `<!--pb:${name}-->`;
  const close = `<!--/pb:${name}-->`;
  const start = html.indexOf(open);
  const end = html.indexOf(close);
  if (start < 0 || end < start || html.indexOf(open, start + 1) >= 0 || html.indexOf(close, end + 1) >= 0) {
    invalid(where, `needs exactly one block ${open} … ${close}`);
  }
  return {
    html: html.slice(0, start) + replacement + html.slice(end + close.length),
    block: html.slice(start + open.length, end),
  };
}

/** The template with every slot filled: the compiled markup around the values, each escaped unless Html. */
export function fill<S extends string>(template: Template<S>, values: Readonly<Record<S, Interpolation>>): Html {
  const { literals, slots } = template;
  let out = literals[0] ?? '';
  for (let i = 0; i < slots.length; i++) out += renderHtml(values[slots[i] as S]) + (literals[i + 1] ?? '');
  return new Html(out);
}

/** The template with some slots filled (e.g. the digest's own data), the others left for later. */
export function fillSome<S extends string, K extends S>(template: Template<S>, values: Readonly<Record<K, Interpolation>>): Template<Exclude<S, K>> {
  const literals: string[] = [template.literals[0] ?? ''];
  const slots: Array<Exclude<S, K>> = [];
  template.slots.forEach((slot, i) => {
    const next = template.literals[i + 1] ?? '';
    if (Object.hasOwn(values, slot)) literals[literals.length - 1] += renderHtml(values[slot as K]) + next;
    else {
      slots.push(slot as Exclude<S, K>);
      literals.push(next);
    }
  });
  return { literals, slots };
}

function invalid(where: string, problem: string): never {
  throw new RenderError('RENDER_TEMPLATE_INVALID', `emails/${where}.mjml ${problem}`);
}
