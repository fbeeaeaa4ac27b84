import { describe, expect, test } from 'vitest';
import { fillPageParts, PAGE_PARTS } from './page-html.js';

describe('fillPageParts', () => {
  test('puts each named part in place of its comment line, at the comment indent', () => {
    const html = '<form>\n    <!-- app-kit: run-buttons -->\n</form>\n';
    const filled = fillPageParts(html);
    const lines = PAGE_PARTS['run-buttons']!.split('\n').map((l) => `    ${l}`);
    expect(filled).toBe(`<form>\n${lines.join('\n')}\n</form>\n`);
    expect(filled).toContain('    <div class="buttons">\n      <button type="submit" id="train"');
  });

  test('leaves other comments, and a mark that is not alone on its line, as they are', () => {
    const html = '<!-- a comment -->\n<p>x <!-- app-kit: run-status --></p>\n';
    expect(fillPageParts(html)).toBe(html);
  });

  test('refuses a part it does not have, naming the ones it has', () => {
    expect(() => fillPageParts('  <!-- app-kit: buttons -->\n')).toThrow(
      /no page part 'buttons' \(app-kit has backend-field, run-buttons/,
    );
    expect(() => fillPageParts('<!-- app-kit: constructor -->')).toThrow(/no page part/);
  });
});
