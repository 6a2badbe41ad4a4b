// Quick fixes: the plan computes each finding's edits; here they only become CodeActions.
// A fix is offered for a diagnostic the client sends back (matched by code and range), so the
// editor's lightbulb and "Fix all" see exactly what the diagnostics showed.
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
} from 'vscode-languageserver';
import type { Finding, Range } from '@bindery/plan';
import type { Analysis } from './analysis';
import { DIAGNOSTIC_SOURCE, toDiagnostic } from './diagnostics';

export function provideCodeActions(analysis: Analysis, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  if (
    only &&
    !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.'))
  )
    return [];
  const actions: CodeAction[] = [];
  for (const finding of analysis.plan.findings) {
    if (!finding.fixes?.length) continue;
    const diagnostic =
      matchingDiagnostic(finding, params.context.diagnostics) ??
      fallbackDiagnostic(finding, params.range, analysis.uri);
    if (!diagnostic) continue;
    for (const fix of finding.fixes) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix.preferred ?? finding.fixes.length === 1,
        edit: {
          changes: {
            [analysis.uri]: fix.edits.map((e) => ({ range: e.range, newText: e.newText })),
          },
        },
      });
    }
  }
  return actions;
}

function matchingDiagnostic(finding: Finding, diagnostics: Diagnostic[]): Diagnostic | undefined {
  return diagnostics.find(
    (d) =>
      d.source === DIAGNOSTIC_SOURCE &&
      d.code === finding.code &&
      sameRange(d.range, finding.range),
  );
}

/**
 * Some clients (and "fix on save" paths) ask without sending diagnostics; then offer the fixes
 * of findings the requested range touches.
 */
function fallbackDiagnostic(finding: Finding, range: Range, uri: string): Diagnostic | undefined {
  return overlaps(finding.range, range) ? toDiagnostic(finding, uri) : undefined;
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

function before(a: Range['start'], b: Range['start']): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function overlaps(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}
