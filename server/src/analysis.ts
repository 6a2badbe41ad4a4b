// One analysis per document version: the parsed spec (for positions) and the mount plan
// (findings for diagnostics, operations for hover, fixes for code actions). Every feature
// reads from here so they all agree with each other and with the helper.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  type HostView,
  parseSpec,
  type Plan,
  planBundle,
  processRequester,
  type Requester,
  PlanMemo,
  type SpecDocument,
} from '@bindery/plan';
import { bundleDirOf, fileNameOf, isOciSpec } from './documents';

export interface Analysis {
  uri: string;
  version: number;
  /** The parsed text with positions, the very one the plan was made from. */
  readonly spec: SpecDocument;
  plan: Plan;
  bundleDir: string;
}

export class AnalysisCache {
  private readonly byUri = new Map<string, Analysis>();
  /** Per document, what each rule found last time: a keystroke re-runs only what it touched. */
  private readonly memos = new Map<string, PlanMemo>();

  constructor(
    private readonly host: HostView,
    /** Where specs that are not files on disk (untitled) resolve relative paths. */
    private readonly fallbackBundleDir: () => string,
    private readonly plan: typeof planBundle = planBundle,
    /** Whom specs are planned for: the user running the editor, as the helper would plan for them. */
    private readonly requester: Requester = processRequester(),
  ) {}

  /** The analysis of `doc`, or undefined when it is not an OCI spec (see documents.ts). */
  get(doc: TextDocument): Analysis | undefined {
    const cached = this.byUri.get(doc.uri);
    if (cached && cached.version === doc.version) return cached;
    if (!isOciSpec(doc)) {
      this.close(doc.uri);
      return undefined;
    }
    const text = doc.getText();
    const fileName = fileNameOf(doc.uri);
    const bundleDir = bundleDirOf(doc.uri) ?? this.fallbackBundleDir();
    // Parsed once, for the plan and for the features that need positions (hover, symbols,
    // code actions, completion), which an editor asks for after nearly every change.
    const spec = parseSpec(text, fileName);
    let memo = this.memos.get(doc.uri);
    if (!memo) this.memos.set(doc.uri, (memo = new PlanMemo()));
    const plan = this.plan({ text, bundleDir, host: this.host, fileName, requester: this.requester, document: spec, memo });
    const analysis: Analysis = {
      uri: doc.uri,
      version: doc.version,
      spec,
      plan,
      bundleDir,
    };
    this.byUri.set(doc.uri, analysis);
    return analysis;
  }

  /** Analyses already made, without planning anything new. */
  cached(): Iterable<Analysis> {
    return this.byUri.values();
  }

  /**
   * Plan a document again on its next use (the host changed under it). Its memo stays: the
   * memo asks the host again for every answer a rule read before it reuses anything.
   */
  invalidate(uri: string): void {
    this.byUri.delete(uri);
  }

  /** Forget a document and its memo (closed, or no longer an OCI spec). */
  close(uri: string): void {
    this.byUri.delete(uri);
    this.memos.delete(uri);
  }

  /** Host paths an analysis depends on: a change there may change its findings. */
  static watchedPaths(analysis: Analysis): string[] {
    const paths: string[] = [];
    if (analysis.plan.rootfs) paths.push(analysis.plan.rootfs);
    for (const m of analysis.plan.mounts) if (m.hostSource) paths.push(m.hostSource);
    return paths;
  }
}
