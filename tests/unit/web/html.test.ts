// The pages' template helper: every interpolated value escaped, markup only from html`…`.
import { describe, expect, it } from 'vitest';
import { html, trusted, when } from '../../../src/web/pages/html.ts';

describe('html`…`', () => {
  it('escapes every interpolated string and number, in text and in attributes', () => {
    const evil = `"><script>alert('x')</script>&`;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
    expect(html`<b>${42}</b>`.value).toBe('<b>42</b>');
  });

  it('nests html`…` as markup, joins arrays, and renders nothing for null, undefined and false', () => {
    const items = ['a<b', 'c&d'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}`.value).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
    expect(html`${['<i>', html`<i>`]}`.value).toBe('&lt;i&gt;<i>');
  });

  it('trusted() and when() are the only ways to add raw markup', () => {
    expect(html`${trusted('<br>')}`.value).toBe('<br>');
    expect(html`<input${when(true, html` checked`)}${when(false, html` disabled`)}>`.value).toBe('<input checked>');
    expect(String(html`x`)).toBe('x');
  });
});
