// The runner's side of uiProtocol.ts: performs a suite's request on the workbench page with
// Playwright (a real mouse click lands on whatever is at that spot, as for a user) and
// writes the reply the suite waits for.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { type UiAction, type UiReply, type UiRequest, uiReplyFile } from './uiProtocol';

const ACTION_TIMEOUT_MS = 15000;

export async function performUi(
  page: Page,
  request: UiRequest,
  resultsDir: string,
): Promise<UiReply> {
  let reply: UiReply;
  try {
    reply = { ok: true, ...(await act(page, request.action)) };
  } catch (error) {
    // Playwright's message carries its call log; the first lines say what was not found.
    reply = { ok: false, error: (error as Error).message.split('\n').slice(0, 4).join(' | ') };
    // What the page looked like instead, for whoever reads the failure (CI included).
    const picture = join(resultsDir, `ui-failed-${request.id}.png`);
    if (
      await page.screenshot({ path: picture }).then(
        () => true,
        () => false,
      )
    )
      reply.error += ` (the page: ${picture})`;
  }
  const file = uiReplyFile(resultsDir, request.id);
  mkdirSync(dirname(file), { recursive: true });
  // Written under another name first: the suite reads the reply once the final name exists.
  writeFileSync(`${file}.partial`, JSON.stringify(reply));
  renameSync(`${file}.partial`, file);
  return reply;
}

async function act(page: Page, action: UiAction): Promise<Partial<UiReply>> {
  const timeout = ACTION_TIMEOUT_MS;
  const visible = (selector: string) => page.locator(selector).filter({ visible: true }).first();
  switch (action.do) {
    case 'click': {
      const button = action.button ?? 'left';
      if (!action.hoverFirst) {
        // A tooltip left open where the pointer last rested can cover the target: take the
        // pointer away first, as a user's hand moves on. One click only: a click that timed
        // out may still have landed (a second one would act twice).
        await page.mouse.move(0, 0);
        await visible(action.selector).click({ timeout, button });
        return {};
      }
      // An inline action shows while the pointer is on its row; a hover card opening there,
      // or the tree redrawing, can take the row's hover away between the two steps: hover
      // again until the action can be clicked.
      const deadline = Date.now() + timeout;
      for (;;) {
        await visible(action.hoverFirst).hover({ timeout });
        try {
          await visible(action.selector).click({ timeout: 2000, button });
          return {};
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await page.mouse.move(0, 0);
        }
      }
    }
    case 'hover':
      await visible(action.selector).hover({ timeout });
      return {};
    case 'press':
      await page.keyboard.press(action.key);
      return {};
    case 'waitFor':
      await visible(action.selector).waitFor({
        state: action.gone ? 'detached' : 'visible',
        timeout,
      });
      return {};
    case 'texts':
      return {
        values: await page.locator(action.selector).filter({ visible: true }).allInnerTexts(),
      };
    case 'read': {
      const { attributes = [], parts = {} } = action;
      const items = await page.locator(action.selector).evaluateAll(
        (elements, ask) =>
          elements.map((e) => {
            // Runs in the page, as written: no helper functions (the TypeScript loader would
            // add a naming helper the page does not have), no DOM types in this file.
            const item: Record<string, string | null> = {
              text: (e as unknown as { innerText: string }).innerText,
            };
            for (const name of ask.attributes) item[name] = e.getAttribute(name);
            for (const [name, sub] of Object.entries(ask.parts)) {
              const part = e.querySelector(sub) as unknown as { innerText: string } | null;
              item[name] = part ? part.innerText : null;
            }
            return item;
          }),
        { attributes, parts },
      );
      return { items };
    }
  }
}
