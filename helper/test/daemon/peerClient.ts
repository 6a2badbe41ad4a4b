// Run as another user by the root tests: connects to the helper, makes the calls given as
// JSON in argv[2] ({socket, calls: [{method, params}]}) and prints one JSON line per call:
// {ok: result} or {error: {code, message, data}} or {connectError: {kind, message}}.
import { HelperClient, HelperError } from '../../src/client';

interface Call {
  /** `run`: launch, wait for the process to exit, return its exit code and output, tear down. */
  method: 'version' | 'validate' | 'launch' | 'list' | 'inspect' | 'stop' | 'teardown' | 'logs' | 'run';
  params?: unknown;
}

/** Launch, wait for the exit, collect the output (from `logs`, so nothing is missed), tear down. */
async function run(c: HelperClient, params: { bundle: string; id: string }) {
  let resolveExit!: (e: { exitCode?: number; signal?: string }) => void;
  const exited = new Promise<{ exitCode?: number; signal?: string }>((r) => (resolveExit = r));
  const sub = c.onExited((e) => e.id === params.id && resolveExit(e));
  try {
    await c.launch(params);
    const exit = await exited;
    const logs = await c.logs(params.id);
    await c.teardown(params.id);
    return { ...exit, stdout: logs.chunks.filter((x) => x.stream === 'stdout').map((x) => x.data).join(''), stderr: logs.chunks.filter((x) => x.stream === 'stderr').map((x) => x.data).join('') };
  } finally {
    sub.dispose();
  }
}

async function main(): Promise<void> {
  const { socket, calls } = JSON.parse(process.argv[2]) as { socket: string; calls: Call[] };
  let c: HelperClient;
  try {
    c = await HelperClient.connect({ socketPath: socket });
  } catch (e) {
    if (e instanceof HelperError) return void console.log(JSON.stringify({ connectError: { kind: e.code, message: e.message } }));
    throw e;
  }
  for (const call of calls) {
    try {
      const p = call.params as never;
      const r = await ({
        version: () => c.version(),
        validate: () => c.validate((p as { bundle: string }).bundle),
        launch: () => c.launch(p),
        list: () => c.list(),
        inspect: () => c.inspect((p as { id: string }).id),
        stop: () => c.stop(p),
        teardown: () => c.teardown((p as { id: string }).id),
        logs: () => c.logs((p as { id: string }).id),
        input: () => c.input((p as { id: string; data: string }).id, (p as { data: string }).data),
        run: () => run(c, p as { bundle: string; id: string }),
      }[call.method])();
      console.log(JSON.stringify({ ok: r ?? null }));
    } catch (e) {
      if (!(e instanceof HelperError)) throw e;
      console.log(JSON.stringify({ error: { code: e.code, message: e.message, data: e.data } }));
    }
  }
  c.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
