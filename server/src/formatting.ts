// Formatting that keeps the user's style: the indentation the file already uses (two spaces,
// four, tabs) wins over the editor's defaults, and so do its line endings. The layout is the
// one `runc spec` writes (one array element per line). The editor's FormattingOptions decide
// the indentation when the file has no indented line yet, and the final newline.
import * as jsonc from 'jsonc-parser';
import type { FormattingOptions, TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export interface Indent {
  insertSpaces: boolean;
  tabSize: number;
}

/** The indent unit of `text`: the smallest step between consecutive indented lines. */
export function detectIndent(text: string): Indent | undefined {
  let tabs = 0;
  let spaces = 0;
  const steps = new Map<number, number>();
  let previous = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const lead = /^[ \t]*/.exec(line)![0];
    if (lead.startsWith('\t')) {
      tabs++;
      previous = 0;
      continue;
    }
    if (lead.length > 0) spaces++;
    const step = Math.abs(lead.length - previous);
    if (step > 0) steps.set(step, (steps.get(step) ?? 0) + 1);
    previous = lead.length;
  }
  if (tabs === 0 && spaces === 0) return undefined;
  if (tabs > spaces) return { insertSpaces: false, tabSize: 4 };
  let best = 0;
  let bestCount = 0;
  for (const [step, count] of steps)
    if (count > bestCount || (count === bestCount && step < best))
      [best, bestCount] = [step, count];
  return best > 0 ? { insertSpaces: true, tabSize: best } : undefined;
}

export function formatDocument(doc: TextDocument, options: FormattingOptions): TextEdit[] {
  const text = doc.getText();
  const indent = detectIndent(text) ?? {
    insertSpaces: options.insertSpaces,
    tabSize: options.tabSize,
  };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const edits = jsonc.format(text, undefined, {
    ...indent,
    eol,
    insertFinalNewline: options.insertFinalNewline ?? text.endsWith(eol),
  });
  return edits.map((e) => ({
    range: { start: doc.positionAt(e.offset), end: doc.positionAt(e.offset + e.length) },
    newText: e.content,
  }));
}
