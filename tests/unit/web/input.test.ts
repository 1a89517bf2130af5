// What the forms accept: the address (a maintained validator, and no control character anywhere:
// it reaches a header) and the topics (the matcher's own errors, line by line).
import { describe, expect, it } from 'vitest';
import { distinctTopics, MAX_TOPICS, parseEmail, parseTopicsField, topicLineProblem, topicLines } from '../../../src/subscriptions/input.ts';

describe('parseEmail', () => {
  it.each(['ada@example.org', '  ada@example.org  ', 'Ada.Lovelace+papers@sub.example.co.uk', 'a_b@bücher.de'])('accepts %j', (raw) => {
    const r = parseEmail(raw);
    expect(r.ok && r.email).toBe(raw.trim());
  });

  it.each([
    ['a@b.c\r\nBcc: x@y.z', 'EMAIL_LINE_BREAK'],
    ['ada@example.org\n', 'EMAIL_LINE_BREAK'],
    ['\rada@example.org', 'EMAIL_LINE_BREAK'],
    ['ada@exa\u0000mple.org', 'EMAIL_LINE_BREAK'],
    ['ada@example.org\u2028', 'EMAIL_LINE_BREAK'],
    ['ada@example.org\u0085', 'EMAIL_LINE_BREAK'],
    ['', 'EMAIL_MISSING'],
    ['   ', 'EMAIL_MISSING'],
    [undefined, 'EMAIL_MISSING'],
    [['a@example.org'], 'EMAIL_MISSING'],
    ['not-an-address', 'EMAIL_INVALID'],
    ['ada@localhost', 'EMAIL_INVALID'],
    ['"a b"@example.org', 'EMAIL_INVALID'],
    ['Ada <ada@example.org>', 'EMAIL_INVALID'],
    ['ada@example.org, bob@example.org', 'EMAIL_INVALID'],
    ['ada@[127.0.0.1]', 'EMAIL_INVALID'],
    ['ädä@example.org', 'EMAIL_INVALID'],
    [`${'a'.repeat(250)}@example.org`, 'EMAIL_TOO_LONG'],
  ])('refuses %j (%s)', (raw, code) => {
    const r = parseEmail(raw);
    expect(r.ok ? null : r.error.code).toBe(code);
  });
});

describe('parseTopicsField', () => {
  it('keeps the non-blank lines, trimmed, in order, once each (ignoring case)', () => {
    expect(parseTopicsField('  scaling laws \r\n\r\n"quantum many-body"\nScaling Laws\n diffusion -video')).toEqual({
      ok: true,
      topics: ['scaling laws', '"quantum many-body"', 'diffusion -video'],
    });
    expect(topicLines('a\r\nb\rc\u2028d')).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'b' },
      { line: 3, text: 'c' },
      { line: 4, text: 'd' },
    ]);
    expect(
      distinctTopics([
        { line: 1, text: 'A' },
        { line: 3, text: 'a' },
      ]),
    ).toEqual([{ line: 1, text: 'A' }]);
  });

  it("names each line that does not parse, with its line number in the field and the matcher's code", () => {
    const r = parseTopicsField('scaling laws\n\nquantum "many\n-video\nOR x\nok');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeNull();
    expect(r.lines.map((l) => [l.line, l.topic, l.code])).toEqual([
      [3, 'quantum "many', 'TOPIC_UNBALANCED_QUOTE'],
      [4, '-video', 'TOPIC_ONLY_EXCLUSIONS'],
      [5, 'OR x', 'TOPIC_BAD_OR'],
    ]);
    expect(r.lines[0]!.column).toBe(8);
  });

  it('refuses no topics, more than 10, more than 2,000 characters, and control characters', () => {
    const codeOf = (raw: unknown) => {
      const r = parseTopicsField(raw);
      return r.ok ? null : (r.error?.code ?? r.lines.map((l) => l.code).join());
    };
    expect(codeOf('')).toBe('TOPICS_MISSING');
    expect(codeOf(undefined)).toBe('TOPICS_MISSING');
    expect(codeOf(' \n\t\n')).toBe('TOPICS_MISSING');
    expect(codeOf(Array.from({ length: MAX_TOPICS }, (_, i) => `t${i}`).join('\n'))).toBeNull();
    expect(codeOf(Array.from({ length: MAX_TOPICS + 1 }, (_, i) => `t${i}`).join('\n'))).toBe('TOPICS_TOO_MANY');
    expect(codeOf('x'.repeat(2000))).toBe('TOPIC_TOO_LONG'); // the field fits; the one line is over 200
    expect(codeOf('x\n'.repeat(1001))).toBe('TOPICS_TOO_LONG');
    expect(codeOf('x\r\n'.repeat(1000))).toBeNull(); // CRLF counts as one character, as the textarea counts it
    expect(codeOf('scaling\u0007laws')).toBe('TOPIC_CONTROL_CHARACTER');
    expect(codeOf('scaling\tlaws')).toBeNull();
  });

  // The subscribe form is open to anyone, and the topics go into the confirmation email to the
  // address typed and into digest subjects: bidi overrides would turn "scaling \u202Egnp.exe\u202C
  // laws" into "scaling exe.png laws" on screen. Titles lose them at ingest; topics lose them here.
  it('takes out bidi controls and zero-width characters, as titles lose them, before anything is stored', () => {
    const r = parseTopicsField(
      'scaling \u202Egnp.exe\u202C laws\nqu\u200Bantum\u2060 \uFEFFmany-body\n\u200F\u2066diffusion\u2069\u00AD\n\u200B\u200B\nzero\u00A0\u2003width',
    );
    expect(r).toEqual({ ok: true, topics: ['scaling gnp.exe laws', 'quantum many-body', 'diffusion', 'zero width'] });
    // a line of invisible characters alone is a blank line; two lines that differ only by them are one topic
    expect(parseTopicsField('scaling laws\nscaling\u200B laws\u202C')).toEqual({ ok: true, topics: ['scaling laws'] });
    // joiners stay: some scripts need them to spell a word
    expect(parseTopicsField('\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645')).toEqual({
      ok: true,
      topics: ['\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645'],
    });
  });

  it('the preview sees the same cleaned lines as the form', () => {
    expect(topicLines('  a\u202E b \n\n\u200B\n c')).toEqual([
      { line: 1, text: 'a b' },
      { line: 4, text: 'c' },
    ]);
  });

  it('topicLineProblem is what the preview says of a line', () => {
    expect(topicLineProblem('scaling laws')).toBeNull();
    expect(topicLineProblem('""')).toMatchObject({ code: 'TOPIC_EMPTY_PHRASE' });
  });
  it('keeps a line naming a paper as like:<id>, whichever way it was written, once; refuses a like: without a paper', () => {
    const r = parseTopicsField('like:2407.13168\nhttps://huggingface.co/papers/2407.13168\n  https://arxiv.org/abs/2406.00001v2 \nscaling laws');
    expect(r).toEqual({ ok: true, topics: ['like:2407.13168', 'like:2406.00001', 'scaling laws'] });
    const bad = parseTopicsField('like: not a paper\ndiffusion');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.lines).toEqual([expect.objectContaining({ line: 1, code: 'TOPIC_LIKE_INVALID' })]);
    expect(topicLineProblem('like:2407.13168')).toBeNull();
  });
});
