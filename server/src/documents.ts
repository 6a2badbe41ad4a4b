// Which open documents are OCI runtime specs, and where their bundle lives.
//
// The decision, in order:
// 1. languageId `oci-spec` (the extension gives it to `*.oci.json`), or a file name ending in
//    `.oci.json` (editors that send such files as plain `json`): always a spec, even while it
//    is empty or broken — the user said so by the file name.
// 2. Anything else the client sends (it sends `json`/`jsonc` documents matching
//    `**/config.json`): a spec only when the text's top-level object has an `ociVersion`
//    property. Unrelated `config.json` files (tsconfig-like tool settings, app configs) get
//    nothing from us: no diagnostics, no hover, no completion, no symbols.
//
// The check is re-made on every change, so adding `ociVersion` to a file turns it into a
// spec, and removing it turns it back (the server then clears what it published).
import * as jsonc from 'jsonc-parser';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export const OCI_LANGUAGE_ID = 'oci-spec';

export function isOciSpec(doc: TextDocument): boolean {
  if (doc.languageId === OCI_LANGUAGE_ID || /\.oci\.json$/i.test(URI.parse(doc.uri).path))
    return true;
  return hasTopLevelOciVersion(doc.getText());
}

/**
 * True when the outermost JSON value is an object with an `ociVersion` key. Uses the
 * scanner, not a full parse, and stops as soon as it knows: cheap enough to run per keystroke
 * on every JSON file the client forwards.
 */
export function hasTopLevelOciVersion(text: string): boolean {
  const scanner = jsonc.createScanner(text, false);
  let depth = 0;
  let expectKey = false;
  let first = true;
  for (let token = scanner.scan(); token !== jsonc.SyntaxKind.EOF; token = scanner.scan()) {
    switch (token) {
      case jsonc.SyntaxKind.Trivia:
      case jsonc.SyntaxKind.LineBreakTrivia:
      case jsonc.SyntaxKind.LineCommentTrivia:
      case jsonc.SyntaxKind.BlockCommentTrivia:
        continue;
      case jsonc.SyntaxKind.OpenBraceToken:
        if (first) expectKey = true;
        depth++;
        break;
      case jsonc.SyntaxKind.OpenBracketToken:
        if (first) return false;
        depth++;
        break;
      case jsonc.SyntaxKind.CloseBraceToken:
      case jsonc.SyntaxKind.CloseBracketToken:
        depth--;
        if (depth === 0) return false;
        break;
      case jsonc.SyntaxKind.CommaToken:
        if (depth === 1) expectKey = true;
        break;
      case jsonc.SyntaxKind.StringLiteral:
        if (depth === 1 && expectKey && scanner.getTokenValue() === 'ociVersion') return true;
        expectKey = false;
        break;
      default:
        if (first) return false;
        expectKey = false;
    }
    first = false;
  }
  return false;
}

/**
 * The bundle directory of a spec: the folder holding the file, so a relative `root.path`
 * and relative bind sources resolve the way the runtime resolves them. Documents that are not
 * on disk (untitled, remote schemes) have none; they are validated without host look-ups.
 */
export function bundleDirOf(uri: string): string | undefined {
  const parsed = URI.parse(uri);
  if (parsed.scheme !== 'file') return undefined;
  return path.dirname(parsed.fsPath);
}

export function fileNameOf(uri: string): string {
  const parsed = URI.parse(uri);
  return path.posix.basename(parsed.path) || 'config.json';
}
