// Clients of both protocol eras against `msb mcp` and `msb server`'s /mcp: the 1.x SDK
// (2025-11-25: initialize, then plain requests) and the current SDK in its auto mode (which
// probes with server/discover and must settle on 2026-07-28) and its legacy mode. No
// sandbox boots here: tools/list, a read-only call and an error round trip per client.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { call, cleanUp, connectV1, connectV2, startServer } from './support.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => {
  if (server) await server.stop();
  const { leftovers } = cleanUp();
  assert.deepEqual(leftovers, []);
});

async function exercise(client) {
  const { tools } = await client.listTools();
  assert.equal(tools.length, 21);
  const listed = await call(client, 'sandbox_list');
  assert.deepEqual(listed.sandboxes, []);
  const missing = await call(client, 'sandbox_inspect', { name: 'no-such-sandbox' }, { expectError: true });
  assert.equal(missing.error.kind, 'not-found');
}

for (const transport of ['stdio', 'http']) {
  describe(`eras over ${transport}`, { timeout: 120_000 }, () => {
    const target = () => (transport === 'http' ? server : null);

    test('the 1.x SDK client speaks 2025-11-25', async () => {
      const { client, transport: wire } = await connectV1(target());
      try {
        assert.equal(wire.protocolVersion ?? '2025-11-25', '2025-11-25');
        assert.equal(client.getServerVersion().name, 'microsandbox');
        assert.match(client.getInstructions(), /sandbox_create/);
        await exercise(client);
        // Ping exists in this era.
        await client.ping();
        if (transport === 'http') {
          assert.equal(wire.sessionId, undefined, 'no session id is issued');
          await wire.terminateSession();  // DELETE: 405 is fine for the client
        }
      } finally {
        await client.close();
      }
    });

    test('the current SDK in auto mode settles on 2026-07-28', async () => {
      const client = await connectV2('auto', target());
      try {
        assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
        await exercise(client);
      } finally {
        await client.close();
      }
    });

    test('the current SDK in legacy mode settles on 2025-11-25', async () => {
      const client = await connectV2('legacy', target());
      try {
        assert.equal(client.getNegotiatedProtocolVersion(), '2025-11-25');
        await exercise(client);
      } finally {
        await client.close();
      }
    });
  });
}
