// A snippet of a sample (`<<< @/samples/x.ts#region`) shows a part of a program; a reader who
// pastes it needs the imports and the setup it runs after (the backend, the seed). The site shows
// them under every snippet that has no import of its own, folded (config.ts): what is computed here.
import type { MarkdownRenderer } from 'vitepress';

/** The lines of a region, without its markers; undefined when the file has no such region. */
export function regionOf(text: string, region: string): string | undefined {
  return new RegExp(`// #region ${region}\\n([\\s\\S]*?)// #endregion ${region}\\n`).exec(
    text,
  )?.[1];
}

/**
 * What a snippet of `text` (a sample file) runs after: every import declaration of the file, then
 * the statements before its first region (`useBackend(cpu())`, `manualSeed(1)`, …), or where there are
 * none, the file's `useBackend` and `manualSeed` calls. Undefined when
 * the snippet (`region` of the file, or the whole file) has imports of its own.
 */
export function sampleContext(text: string, region: string | undefined): string | undefined {
  const shown = region ? regionOf(text, region) : text;
  if (shown === undefined || /^import\b/m.test(shown)) return undefined;
  const imports = text.match(/^import\b[\s\S]*?from '[^']+';$/gm) ?? [];
  const first = text.indexOf('// #region');
  const preamble = (first < 0 ? '' : text.slice(0, first))
    .replace(/^import\b[\s\S]*?from '[^']+';$/gm, '')
    .trim();
  // where the setup is in a region of its own (shown earlier on the page), its calls
  const setup = preamble || (text.match(/^(useBackend|manualSeed)\(.*$/gm) ?? []).join('\n');
  return [imports.join('\n'), setup].filter(Boolean).join('\n\n') + '\n';
}

/**
 * Puts the context of each sample snippet after it, in a folded block that names the whole sample.
 * Runs on the tokens of VitePress's snippet plugin (`<<<` becomes a fence whose `src` is
 * `[path, region]`).
 */
export function sampleContextPlugin(md: MarkdownRenderer, read: (path: string) => string): void {
  md.core.ruler.push('sample-context', (state) => {
    const tokens = state.tokens;
    for (let i = tokens.length - 1; i >= 0; i--) {
      const token = tokens[i]!;
      const src = (token as { src?: [string, string] }).src;
      if (token.type !== 'fence' || !src) continue;
      const [path, region] = src;
      const context = sampleContext(read(path), region || undefined);
      if (!context) continue;
      const name = path.slice(path.lastIndexOf('/samples/') + 1);
      const open = new state.Token('html_block', '', 0);
      open.content =
        `<details class="details custom-block sample-context"><summary>Imports and setup ` +
        `(the whole program: <code>docs/${name}</code>)</summary>\n`;
      const code = new state.Token('fence', 'code', 0);
      code.info = 'ts';
      code.markup = '```';
      code.content = context;
      const close = new state.Token('html_block', '', 0);
      close.content = '</details>\n';
      tokens.splice(i + 1, 0, open, code, close);
    }
  });
}
