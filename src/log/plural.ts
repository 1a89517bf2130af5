// A count before a noun, as every message a person reads says it: log lines, pages, the CLI, emails
// (tests/unit/docs/plurals.test.ts holds every such count to it).

/** "1 paper", "3 papers" */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
