// For suites running inside the extension host: act on the workbench like a user (click,
// hover, type) and read what the user would read, through the code-server runner (see
// uiProtocol.ts). Under test-electron there is no runner to ask: `uiDriven()` is false.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { UI_MARKER, type UiAction, type UiReply, uiReplyFile } from './uiProtocol';

let counter = 0;

export function uiDriven(): boolean {
  return Boolean(process.env.BINDERY_E2E_RESULTS);
}

/** Performs `action` on the page; throws with the runner's reason when it could not. */
export async function ui(action: UiAction, timeoutMs = 30000): Promise<UiReply> {
  const dir = process.env.BINDERY_E2E_RESULTS;
  if (!dir) throw new Error('no code-server runner to drive the workbench (BINDERY_E2E_RESULTS)');
  const id = `${process.pid}-${Date.now()}-${counter++}`;
  const file = uiReplyFile(dir, id);
  console.log(`${UI_MARKER}${JSON.stringify({ id, action })}`);
  const deadline = Date.now() + timeoutMs;
  while (!exists(file)) {
    if (Date.now() > deadline)
      throw new Error(`the runner did not answer ${JSON.stringify(action)} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const reply = JSON.parse(readFileSync(file, 'utf8')) as UiReply;
  rmSync(file, { force: true });
  if (!reply.ok) throw new Error(`${action.do} ${describe(action)}: ${reply.error}`);
  return reply;
}

export const click = (selector: string, hoverFirst?: string) =>
  ui({ do: 'click', selector, hoverFirst });
export const rightClick = (selector: string) => ui({ do: 'click', selector, button: 'right' });
export const waitForUi = (selector: string, gone = false) => ui({ do: 'waitFor', selector, gone });
export const press = (key: string) => ui({ do: 'press', key });

export async function texts(selector: string): Promise<string[]> {
  return (await ui({ do: 'texts', selector })).values ?? [];
}

/** Every match of `selector` at one instant: see the `read` action in uiProtocol.ts. */
export async function read(
  selector: string,
  attributes: string[] = [],
  parts: Record<string, string> = {},
): Promise<Record<string, string | null>[]> {
  return (await ui({ do: 'read', selector, attributes, parts })).items ?? [];
}

function describe(action: UiAction): string {
  return 'selector' in action ? action.selector : 'key' in action ? action.key : '';
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
