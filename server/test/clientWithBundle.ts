// The setup most server test files share: one language client talking to a real server, and
// one temporary bundle for its documents, both started before the file's tests and disposed
// of after them. Call inside a describe().
import { after, before } from 'node:test';
import { makeBundle, type Bundle } from './bundle';
import { TestClient, type ClientOptions } from './lspHarness';

export interface ClientWithBundle {
  /** Set once the before() hook has run. */
  readonly client: TestClient;
  readonly bundle: Bundle;
}

export function clientWithBundle(options?: ClientOptions): ClientWithBundle {
  const started = {} as { client: TestClient; bundle: Bundle };
  before(async () => {
    started.bundle = makeBundle();
    started.client = await TestClient.start(options);
  });
  after(async () => {
    await started.client.dispose();
    started.bundle.cleanup();
  });
  return started;
}
