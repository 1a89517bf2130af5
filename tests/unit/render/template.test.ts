import { describe, expect, it } from 'vitest';
import { RenderError } from '../../../src/render/errors.ts';
import { html, trusted } from '../../../src/render/html.ts';
import { cutBlock, fill, fillSome, parseTemplate } from '../../../src/render/template.ts';

describe('templates with slots and blocks', () => {
  it('fills slots with values taken literally, $& and $1 and slot names included', () => {
    const t = parseTemplate('<p>%%a%% and %%b%% and %%a%%</p>', 'test', ['a', 'b']);
    expect(fill(t, { a: trusted("$& $1 $$ $` $'"), b: '%%a%%' }).value).toBe("<p>$& $1 $$ $` $' and %%a%% and $& $1 $$ $` $'</p>");
  });

  it('fills some slots now and the others later', () => {
    const t = fillSome(parseTemplate('%%date%%|%%name%%|%%date%%', 'test', ['date', 'name']), { date: '$1' });
    expect(t.slots).toEqual(['name']);
    expect(fill(t, { name: 'Ada' }).value).toBe('$1|Ada|$1');
  });

  it('escapes every value that is not Html: a slot cannot take markup by mistake', () => {
    const t = parseTemplate('<a href="%%href%%">%%text%%</a>', 'test', ['href', 'text']);
    expect(fill(t, { href: 'https://x.example/?a=1&b="2"', text: `<b>Q&A</b> it's` }).value).toBe(
      '<a href="https://x.example/?a=1&amp;b=&quot;2&quot;">&lt;b&gt;Q&amp;A&lt;/b&gt; it&#39;s</a>',
    );
    // markup goes in only as Html: a filled block, html`…`, or a constant marked trusted
    const inner = fill(parseTemplate('<i>%%x%%</i>', 'test', ['x']), { x: '<' });
    expect(fill(t, { href: 'https://x.example/', text: [inner, html` &amp; ${'>'}`, trusted('&nbsp;')] }).value).toBe(
      '<a href="https://x.example/"><i>&lt;</i> &amp; &gt;&nbsp;</a>',
    );
    expect(fillSome(t, { text: '<' }).literals[0]).toBe('<a href="');
    expect(fill(fillSome(t, { text: '<' }), { href: '"' }).value).toBe('<a href="&quot;">&lt;</a>');
  });

  it('refuses a template whose slots are not the expected ones', () => {
    expect(() => parseTemplate('%%a%%', 'test', ['a', 'b'])).toThrow(/lacks the slot\(s\) %%b%%/);
    expect(() => parseTemplate('%%a%% %%c%%', 'test', ['a'])).toThrow(RenderError);
  });

  it('cuts a block out, leaving what it is told in its place', () => {
    const { html, block } = cutBlock('<ul><!--pb:item--><li>%%x%%</li><!--/pb:item--></ul>', 'test', 'item', '%%items%%');
    expect(html).toBe('<ul>%%items%%</ul>');
    expect(block).toBe('<li>%%x%%</li>');
  });

  it('refuses a missing, repeated or reversed block', () => {
    expect(() => cutBlock('<ul></ul>', 'test', 'item')).toThrow(/exactly one block/);
    expect(() => cutBlock('<!--pb:i-->a<!--/pb:i--><!--pb:i-->b<!--/pb:i-->', 'test', 'i')).toThrow(RenderError);
    expect(() => cutBlock('<!--/pb:i-->a<!--pb:i-->', 'test', 'i')).toThrow(RenderError);
  });
});
