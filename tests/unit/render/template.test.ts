import { describe, expect, it } from 'vitest';
import { RenderError } from '../../../src/render/errors.ts';
import { cutBlock, fill, fillSome, parseTemplate } from '../../../src/render/template.ts';

describe('templates with slots and blocks', () => {
  it('fills slots with values taken literally, $& and $1 and slot names included', () => {
    const t = parseTemplate('<p>%%a%% and %%b%% and %%a%%</p>', 'test', ['a', 'b']);
    expect(fill(t, { a: "$& $1 $$ $` $'", b: '%%a%%' })).toBe("<p>$& $1 $$ $` $' and %%a%% and $& $1 $$ $` $'</p>");
  });

  it('fills some slots now and the others later', () => {
    const t = fillSome(parseTemplate('%%date%%|%%name%%|%%date%%', 'test', ['date', 'name']), { date: '$1' });
    expect(t.slots).toEqual(['name']);
    expect(fill(t, { name: 'Ada' })).toBe('$1|Ada|$1');
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
