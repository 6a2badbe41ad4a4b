// Diagnostics are the plan's findings, nothing else: the editor and the helper never disagree.
// Validation is debounced per document so a burst of keystrokes costs one plan.
import {
  DiagnosticSeverity,
  type Connection,
  type Diagnostic,
  type TextDocuments,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, Severity } from '@bindery/plan';
import type { AnalysisCache } from './analysis';

export const DIAGNOSTIC_SOURCE = 'bindery';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(finding: Finding, uri: string): Diagnostic {
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    code: finding.code,
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
  };
  if (finding.related?.length) {
    diagnostic.relatedInformation = finding.related.map((r) => ({
      location: { uri, range: r.range },
      message: r.message,
    }));
  }
  return diagnostic;
}

export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Documents we published something for, so we clear them when they stop being specs. */
  private readonly published = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly analyses: AnalysisCache,
    private readonly debounceMs: number,
    /** Called after each publish, e.g. to update the file watchers. */
    private readonly onPublished: () => void = () => undefined,
  ) {}

  /** Validate `uri` after the debounce; a newer call restarts the wait. */
  schedule(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.validate(uri);
      }, this.debounceMs),
    );
  }

  scheduleAll(filter: (uri: string) => boolean = () => true): void {
    for (const doc of this.documents.all()) if (filter(doc.uri)) this.schedule(doc.uri);
  }

  /** The document closed: drop pending work and clear what we showed. */
  close(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.analyses.close(uri);
    this.clear(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private validate(uri: string): void {
    const doc = this.documents.get(uri);
    if (!doc) return;
    let analysis;
    try {
      analysis = this.analyses.get(doc);
    } catch (e) {
      // A bug in a check must not take the server down with it (this runs from a timer, where
      // nothing would catch it); say so where the user looks, and in the log.
      const reason = e instanceof Error ? e.message : String(e);
      this.connection.console.error(
        `bindery: validating ${uri} failed: ${e instanceof Error ? e.stack : reason}`,
      );
      this.published.add(uri);
      void this.connection.sendDiagnostics({
        uri,
        diagnostics: [
          {
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            severity: DiagnosticSeverity.Warning,
            source: DIAGNOSTIC_SOURCE,
            code: 'internal-error',
            message: `Bindery could not check this file (${reason}); please report this. The output of the language server has the details.`,
          },
        ],
      });
      return;
    }
    if (!analysis) {
      // Not (or no longer) an OCI spec: say nothing, but take back what we said before.
      this.clear(uri);
      return;
    }
    const diagnostics = analysis.plan.findings.map((f) => toDiagnostic(f, uri));
    this.published.add(uri);
    void this.connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    this.onPublished();
  }

  private clear(uri: string): void {
    if (!this.published.delete(uri)) return;
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}
