// Read-only virtual documents under the `bindery-plan:` scheme: the mount plan of a spec
// (each operation as the call the helper makes, with the spec entry it comes from) and the
// actual mount table of a running container.
import * as vscode from 'vscode';
import type { InspectResult, ValidateResult } from '../../helper/src/protocol';
import {
  type Finding,
  type MountinfoEntry,
  operationTarget,
  parseMountinfo,
  renderOperation,
  renderOrigin,
} from '@bindery/plan';
import { failedMountIndexes, placeDrift } from './specDrift';

export const PLAN_SCHEME = 'bindery-plan';

export class PlanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(
    PLAN_SCHEME,
    this,
  );

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? 'This document is gone: run the command again.';
  }

  /** Put `text` at `uri` and show it (the same uri is updated in place when shown again). */
  async show(uri: vscode.Uri, text: string): Promise<vscode.TextEditor> {
    this.contents.set(uri.toString(), text);
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(doc, {
      preview: true,
      viewColumn: vscode.ViewColumn.Beside,
    });
  }

  dispose(): void {
    this.registration.dispose();
    this.emitter.dispose();
  }
}

export function planUri(specPath: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PLAN_SCHEME, path: `${specPath}.plan` });
}

/** Markdown: what the view's rows and tooltips say about a container, in full. */
export function detailsUri(id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/containers/${id}/details.md` });
}

export function mountTableUri(id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/containers/${id}/mountinfo` });
}

export function renderPlanText(specPath: string, result: ValidateResult): string {
  const { plan } = result;
  const lines = [
    `# Mount plan of ${specPath}`,
    `# ${plan.operations.length} operations, in the order the helper performs them`,
    '',
  ];
  plan.operations.forEach((op, i) => {
    lines.push(`${String(i + 1).padStart(3)}. ${renderOperation(op)}`);
    lines.push(`     ← ${renderOrigin(op.origin, operationTarget(op))}${originLine(op.origin)}`);
  });
  const findings = result.findings.length ? result.findings : plan.findings;
  if (findings.length) {
    lines.push('', `# ${findings.length} finding(s)`);
    for (const f of findings) lines.push(findingLine(f));
  }
  return lines.join('\n') + '\n';
}

function originLine(origin: { kind: string; range?: { start: { line: number } } }): string {
  return origin.kind === 'spec' && origin.range
    ? ` (config.json line ${origin.range.start.line + 1})`
    : '';
}

function findingLine(f: Finding): string {
  return `  ${f.severity.padEnd(11)} ${f.code} (line ${f.range.start.line + 1}): ${f.message}`;
}

/** The container's mountinfo as a table, each spec entry's row marked when it differs. */
export function renderMountTable(info: InspectResult, specText: string | undefined): string {
  const entries: MountinfoEntry[] = info.mountinfo ? parseMountinfo(info.mountinfo) : [];
  const lines = [
    `# Mount table of ${info.id} (pid ${info.pid ?? '—'}), from /proc/${info.pid ?? 'PID'}/mountinfo`,
    `# bundle ${info.bundle}`,
    '',
  ];
  if (!info.mountinfo) {
    lines.push(`The container is ${info.status}: there is no mount table to read.`);
    return lines.join('\n') + '\n';
  }
  const widths = [28, 10, 24];
  lines.push(
    [
      'MOUNT POINT'.padEnd(widths[0]),
      'TYPE'.padEnd(widths[1]),
      'SOURCE'.padEnd(widths[2]),
      'OPTIONS',
    ].join(' '),
  );
  for (const e of entries) {
    lines.push(
      [
        e.mountPoint.padEnd(widths[0]),
        e.fstype.padEnd(widths[1]),
        e.source.padEnd(widths[2]),
        `${e.options.join(',')}  [${e.superOptions.join(',')}]`,
      ].join(' '),
    );
  }
  if (specText !== undefined) {
    const diffs = placeDrift(
      specText,
      info.plan.mounts,
      entries,
      failedMountIndexes(info.mounts),
    ).filter((c) => c.differences.length);
    lines.push(
      '',
      diffs.length
        ? '# Differences from config.json'
        : '# Every mount entry of config.json is mounted as asked.',
    );
    for (const d of diffs) {
      lines.push(
        `  mounts[${d.index}] ${d.destination} (line ${d.range.start.line + 1}): ${d.differences.map((x) => x.message).join('; ')}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
