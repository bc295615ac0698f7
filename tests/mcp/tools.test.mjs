// Every tool, called through the current MCP revision (2026-07-28) by the official SDK's
// client, over stdio (`msb mcp`) and over Streamable HTTP (`msb server` at /mcp).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ENGINE, SLOW, call, cleanUp, connectV2, startServer, unique } from './support.mjs';

const MODERN = { pin: '2026-07-28' };
const TOOLS = [
  'image_list', 'image_pull', 'sandbox_create', 'sandbox_exec', 'sandbox_fs_list', 'sandbox_fs_mkdir',
  'sandbox_fs_read', 'sandbox_fs_remove', 'sandbox_fs_stat', 'sandbox_fs_write', 'sandbox_inspect',
  'sandbox_list', 'sandbox_logs', 'sandbox_remove', 'sandbox_run', 'sandbox_run_code', 'sandbox_shell',
  'sandbox_stop', 'volume_create', 'volume_list', 'volume_remove',
];

let server;
before(async () => { server = await startServer(); });
after(async () => {
  if (server) await server.stop();
  const { leftovers } = cleanUp();
  assert.deepEqual(leftovers, [], 'processes left running under the test MSB_HOME');
});

for (const transport of ['stdio', 'http']) {
  describe(`tools over ${transport}`, { timeout: 300_000 * SLOW }, () => {
    let client;
    const name = unique(`mcp-${transport}`);
    before(async () => { client = await connectV2(MODERN, transport === 'http' ? server : null); });
    after(async () => { await client?.close(); });

    test('negotiates the current revision and lists every tool with a schema', async () => {
      assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
      assert.equal(client.getServerVersion().name, 'microsandbox');
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((tool) => tool.name).sort(), TOOLS);
      for (const tool of tools) {
        assert.equal(tool.inputSchema.type, 'object', tool.name);
        assert.equal(tool.inputSchema.additionalProperties, false, tool.name);
        assert.ok(tool.description.length > 20, tool.name);
        assert.equal(typeof tool.annotations.readOnlyHint, 'boolean', tool.name);
      }
    });

    test('creates, lists and inspects a sandbox', async () => {
      const created = await call(client, 'sandbox_create',
                                 { name, labels: { suite: 'mcp' }, env: { GREETING: 'hi there' } });
      assert.equal(created.name, name);
      assert.equal(created.status, 'running');
      assert.equal(created.isolation, ENGINE);
      const { sandboxes } = await call(client, 'sandbox_list', { labels: { suite: 'mcp' } });
      assert.ok(sandboxes.some((s) => s.name === name));
      const inspected = await call(client, 'sandbox_inspect', { name });
      assert.equal(inspected.status, 'running');
      assert.equal(inspected.labels.suite, 'mcp');
      assert.equal(typeof inspected.config, 'object');
      const again = await call(client, 'sandbox_create', { name }, { expectError: true });
      assert.equal(again.error.kind, 'already-exists');
    });

    test('runs commands with arguments, stdin, env and exit codes', async () => {
      const echo = await call(client, 'sandbox_exec', { name, command: 'echo', args: ['hello', 'mcp'] });
      assert.deepEqual([echo.stdout, echo.stderr, echo.exitCode, echo.success], ['hello mcp\n', '', 0, true]);
      const cat = await call(client, 'sandbox_exec', { name, command: 'cat', stdin: 'from stdin' });
      assert.equal(cat.stdout, 'from stdin');
      const shell = await call(client, 'sandbox_shell',
                               { name, command: 'echo "$GREETING $EXTRA"; echo oops >&2; exit 3',
                                 env: { EXTRA: 'and more' } });
      assert.deepEqual([shell.stdout, shell.stderr, shell.exitCode, shell.success],
                       ['hi there and more\n', 'oops\n', 3, false]);
      const cwd = await call(client, 'sandbox_exec', { name, command: 'pwd', cwd: '/tmp' });
      assert.equal(cwd.stdout, '/tmp\n');
      const missing = await call(client, 'sandbox_exec', { name, command: '/no/such/program' },
                                 { expectError: true });
      assert.equal(missing.error.kind, 'exec-failed');
    });

    test('clips long output with a note and kills a command past its timeout', async () => {
      const long = await call(client, 'sandbox_shell',
                              { name, command: "head -c 100000 /dev/zero | tr '\\0' a; echo END",
                                maxOutputBytes: 1000 });
      assert.equal(long.stdoutTruncated, true);
      assert.equal(long.stdoutBytes, 100004);
      assert.ok(long.stdout.length < 1100, `${long.stdout.length} characters`);
      assert.match(long.stdout, /\[\.\.\. \d+ bytes omitted \.\.\.\]/);
      assert.ok(long.stdout.endsWith('aEND\n'));
      const slow = await call(client, 'sandbox_shell', { name, command: 'sleep 60', timeout: 2 },
                              { expectError: true });
      assert.equal(slow.timedOut, true);
      assert.equal(slow.success, false);
    });

    test('reads, writes, lists, stats, makes and removes files', async () => {
      await call(client, 'sandbox_fs_mkdir', { name, path: '/tmp/mcp/a/b' });
      const written = await call(client, 'sandbox_fs_write',
                                 { name, path: '/tmp/mcp/a/note.txt', content: 'grüße\n', mode: '0600' });
      assert.equal(written.bytes, 8);  // ü and ß take two bytes each
      await call(client, 'sandbox_fs_write', { name, path: '/tmp/mcp/a/note.txt', content: 'more\n', append: true });
      const read = await call(client, 'sandbox_fs_read', { name, path: '/tmp/mcp/a/note.txt' });
      assert.deepEqual([read.encoding, read.content, read.size, read.truncated], ['utf8', 'grüße\nmore\n', 13, false]);
      // A cut inside "ü" ends the chunk before it: still text, and `bytes` says where to go on.
      const cut = await call(client, 'sandbox_fs_read', { name, path: '/tmp/mcp/a/note.txt', maxBytes: 3 });
      assert.deepEqual([cut.encoding, cut.content, cut.bytes, cut.truncated], ['utf8', 'gr', 2, true]);
      const part = await call(client, 'sandbox_fs_read', { name, path: '/tmp/mcp/a/note.txt', offset: 8, maxBytes: 4 });
      assert.deepEqual([part.content, part.truncated], ['more', true]);
      const binary = Buffer.from([0, 255, 1, 254, 128]).toString('base64');
      await call(client, 'sandbox_fs_write', { name, path: '/tmp/mcp/a/bin', content: binary, encoding: 'base64' });
      const back = await call(client, 'sandbox_fs_read', { name, path: '/tmp/mcp/a/bin' });
      assert.deepEqual([back.encoding, back.content], ['base64', binary]);
      const stat = await call(client, 'sandbox_fs_stat', { name, path: '/tmp/mcp/a/note.txt' });
      assert.deepEqual([stat.exists, stat.type, stat.size, stat.mode], [true, 'file', 13, '0600']);
      const listing = await call(client, 'sandbox_fs_list', { name, path: '/tmp/mcp/a' });
      assert.deepEqual(listing.entries.map((e) => [e.name, e.type]),
                       [['b', 'directory'], ['bin', 'file'], ['note.txt', 'file']]);
      const notEmpty = await call(client, 'sandbox_fs_remove', { name, path: '/tmp/mcp' }, { expectError: true });
      assert.ok(notEmpty.error.message.length > 0);
      await call(client, 'sandbox_fs_remove', { name, path: '/tmp/mcp', recursive: true });
      const gone = await call(client, 'sandbox_fs_stat', { name, path: '/tmp/mcp' });
      assert.equal(gone.exists, false);
      const relative = await call(client, 'sandbox_fs_read', { name, path: 'etc/passwd' }, { expectError: true });
      assert.equal(relative.error.kind, 'invalid-argument');
    });

    test('shows the log of what ran', async () => {
      const { entries } = await call(client, 'sandbox_logs', { name, tail: 1000 });
      assert.ok(entries.some((e) => e.text.includes('hello mcp')), JSON.stringify(entries).slice(0, 500));
    });

    test('runs code in a named sandbox and in a fresh one', async () => {
      const inNamed = await call(client, 'sandbox_run_code', { language: 'sh', code: 'echo $((6 * 7))', name });
      assert.equal(inNamed.stdout, '42\n');
      const fresh = await call(client, 'sandbox_run_code', { language: 'sh', code: 'hostname >/dev/null; echo fresh' });
      assert.equal(fresh.stdout, 'fresh\n');
      const run = await call(client, 'sandbox_run', { command: 'echo one-off; exit 4' });
      assert.deepEqual([run.stdout, run.exitCode], ['one-off\n', 4]);
      const { sandboxes } = await call(client, 'sandbox_list');
      assert.deepEqual(sandboxes.filter((s) => s.name.startsWith('mcp-run-')), [], 'ephemeral sandboxes left');
    });

    test('manages volumes and images', async () => {
      const volume = unique('vol');
      const created = await call(client, 'volume_create', { name: volume, labels: { a: 'b' } });
      assert.equal(created.kind, 'dir');
      const { volumes } = await call(client, 'volume_list');
      assert.ok(volumes.some((v) => v.name === volume));
      await call(client, 'volume_remove', { name: volume });
      const { images } = await call(client, 'image_list');
      assert.ok(Array.isArray(images));
      // Port 1 on the loopback: refused at once, and never off this machine.
      const pull = await call(client, 'image_pull', { reference: '127.0.0.1:1/nothing:latest' }, { expectError: true });
      assert.ok(pull.error.kind.length > 0);
    });

    test('reports bad arguments and unknown tools the way the protocol says', async () => {
      const bad = await call(client, 'sandbox_exec', { name, command: 'true', timeout: 'soon' }, { expectError: true });
      assert.match(bad.error.message, /argument timeout: must be an integer/);
      const unknown = await call(client, 'sandbox_exec', { name, command: 'true', shell: true }, { expectError: true });
      assert.match(unknown.error.message, /argument shell: unknown/);
      await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), /not found/);
    });

    // HTTP only: over stdio the client's own pipe is the queue.
    if (transport === 'http') test('at most 8 calls run at once; the next is 503 with Retry-After', async () => {
      const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28',
                         'io.modelcontextprotocol/clientCapabilities': {} };
      const post = (id) => fetch(server.mcpUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json',
                   'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'sandbox_shell' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call',
                               params: { name: 'sandbox_shell', _meta: envelope,
                                         arguments: { name, command: 'until [ -e /tmp/gate ]; do sleep 0.1; done' } } }),
      });
      const slow = Array.from({ length: 8 }, (_, i) => post(i));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const refused = await post(99);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.equal((await refused.json()).error.code, -32000);
      // The REST API is not held up meanwhile: it opens the gate the eight wait for.
      const gate = await fetch(new URL(`/v1/sandboxes/${name}/files?path=/tmp/gate`, server.url),
                               { method: 'PUT', headers: { authorization: `Bearer ${server.token}` }, body: 'open' });
      assert.equal(gate.status, 200);
      for (const answer of await Promise.all(slow)) assert.equal(answer.status, 200);
      assert.equal((await post(100)).status, 200, 'served again once the others ended');
    });

    test('stops and removes the sandbox', async () => {
      const stopped = await call(client, 'sandbox_stop', { name });
      assert.equal(stopped.status, 'stopped');
      const removed = await call(client, 'sandbox_remove', { name });
      assert.equal(removed.removed, true);
      const gone = await call(client, 'sandbox_inspect', { name }, { expectError: true });
      assert.equal(gone.error.kind, 'not-found');
    });
  });
}
