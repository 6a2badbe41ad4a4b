// How a suite inside the extension host drives the workbench page the way a user does (the
// mouse and the keyboard, through Playwright in the runner): it logs a request line, the
// runner acts on the page and writes a reply file the suite waits for. Selectors are
// Playwright's (CSS plus :text-is(), :has() …), resolved in the workbench page.
import { join } from 'node:path';

export const UI_MARKER = 'BINDERY_UI ';

export type UiAction =
  /** Clicks the first visible match, after hovering `hoverFirst` (inline actions show on hover). */
  | { do: 'click'; selector: string; hoverFirst?: string; button?: 'left' | 'right' }
  | { do: 'hover'; selector: string }
  /** A key or chord, e.g. `Escape`, `Control+Shift+M`, to the focused element. */
  | { do: 'press'; key: string }
  /** Waits until a match is visible (or, with `gone`, until none is). */
  | { do: 'waitFor'; selector: string; gone?: boolean }
  /** The visible text of every match, in document order (none: an empty list). */
  | { do: 'texts'; selector: string }
  /**
   * Every match read at one instant (the page may redraw between two requests): its text,
   * the `attributes` named, and the text of the first descendant matching each of `parts`.
   */
  | { do: 'read'; selector: string; attributes?: string[]; parts?: Record<string, string> };

export interface UiRequest {
  id: string;
  action: UiAction;
}

export interface UiReply {
  ok: boolean;
  error?: string;
  values?: string[];
  /** For `read`: per match, `text` and each attribute and part asked for (null: absent). */
  items?: Record<string, string | null>[];
}

export function uiReplyFile(resultsDir: string, id: string): string {
  return join(resultsDir, 'ui', `${id}.json`);
}
