// Where things are in the workbench page, as Playwright selectors for test/e2e/ui.ts: the
// Containers view and its rows, the status bar item, dialogs, notifications, panels.

export const VIEW = '[id="workbench.view.extension.bindery"]';
export const STATUS_BAR_ITEM = '[id="bindery.bindery.bindery.helper"]';
export const DIALOG = '.monaco-dialog-box';
export const PROBLEMS = '[id="workbench.panel.markers"]';
export const OUTPUT = '[id="workbench.panel.output"]';

/**
 * An element whose text is exactly `text`, in its own text node or a descendant's (labels
 * and buttons keep their text in an inner span, which :text-is alone does not look into).
 */
export function exactly(text: string): string {
  const t = JSON.stringify(text);
  return `:is(:text-is(${t}), :has(:text-is(${t})))`;
}

/** The view's row whose label is exactly `label`. */
export function row(label: string): string {
  return `${VIEW} .monaco-list-row:has(.label-name${exactly(label)})`;
}
/** An inline action (shown on hover) of that row. */
export function inlineAction(label: string, action: string): [string, string] {
  return [`${row(label)} .action-label[aria-label=${JSON.stringify(action)}]`, row(label)];
}
export function dialogButton(text: string): string {
  return `${DIALOG} .monaco-button${exactly(text)}`;
}
export function toast(containing: string): string {
  return `.notification-toast:has(.notification-list-item-message:has-text(${JSON.stringify(containing)}))`;
}
