// One container lifecycle in this process through the real runtime, as the in-process
// benches time it: plan → launch → the process exits → torn down. Returns its ms.
import * as path from 'node:path';
import { planBundle, realHostView } from '@bindery/plan';
import { runtimeWith } from '../src/runtime/container';
import { koffiSyscalls } from '../src/runtime/koffiSyscalls';

const { launchContainer } = runtimeWith(koffiSyscalls());

/** `text`: the bundle's config.json; the container's state goes under `stateRoot`. */
export async function lifecycleMs(
  text: string,
  bundleDir: string,
  stateRoot: string,
  id: string,
): Promise<number> {
  const t0 = process.hrtime.bigint();
  const plan = planBundle({
    text,
    bundleDir,
    host: realHostView(),
    stateDir: path.join(stateRoot, id),
  });
  const c = await launchContainer({ id, bundleDir, plan, owner: { uid: 0, gid: 0 }, stateRoot });
  const exit = await c.exited;
  await c.teardown();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (exit.exitCode !== 0) throw new Error(`${id}: exit ${JSON.stringify(exit)}`);
  return ms;
}
