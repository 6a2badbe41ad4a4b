// The shape every validation rule has. Rules live one concern per file in `rules/`.
import type { SpecDocument } from './document';
import type { Finding, HostView, NormalizedMount, Requester } from './types';

export interface RuleContext {
  doc: SpecDocument;
  /** The parsed spec object, or undefined when the document is not a JSON object. */
  spec: Record<string, unknown> | undefined;
  bundleDir: string;
  host: HostView;
  /** The spec's mounts after normalisation (index = position in `mounts`); runtime additions excluded. */
  specMounts: NormalizedMount[];
  /** Absolute host path of the rootfs when `root.path` is a string. */
  rootfs?: string;
  /** Who the plan is for (root by default): see requester.ts. */
  requester: Requester;
  report(finding: Finding): void;
}

export type Rule = (ctx: RuleContext) => void;
