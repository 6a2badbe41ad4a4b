// Run as another user by the root tests: connects to the helper, makes the calls given as
// JSON in argv[2] ({socket, calls: [{method, params}]}) and prints one JSON line per call:
// {ok: result} or {error: {code, message, data}} or {connectError: {kind, message}}.
import { HelperClient, HelperConnectError, HelperRequestError } from '../../src/client';

interface Call {
  method: 'version' | 'validate' | 'launch' | 'list' | 'inspect' | 'stop' | 'teardown' | 'logs';
  params?: unknown;
}

async function main(): Promise<void> {
  const { socket, calls } = JSON.parse(process.argv[2]) as { socket: string; calls: Call[] };
  let c: HelperClient;
  try {
    c = await HelperClient.connect({ socketPath: socket });
  } catch (e) {
    if (e instanceof HelperConnectError) return void console.log(JSON.stringify({ connectError: { kind: e.kind, message: e.message } }));
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
      }[call.method])();
      console.log(JSON.stringify({ ok: r ?? null }));
    } catch (e) {
      if (!(e instanceof HelperRequestError)) throw e;
      console.log(JSON.stringify({ error: { code: e.code, message: e.message, data: e.data } }));
    }
  }
  c.close();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
