// The line a suite logs to ask the runner for a screenshot of the workbench.
export const SCREENSHOT_MARKER = 'BINDERY_SCREENSHOT ';
