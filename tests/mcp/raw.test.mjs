// Raw JSON-RPC conformance: malformed and hostile input written straight to `msb mcp`'s
// stdin and POSTed to `msb server`'s /mcp, with the exact answers the protocol asks for.
// The server must answer each with the right error and keep serving.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';

import { ENV, MSB, cleanUp, startServer } from './support.mjs';

const V = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': V,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
};
const modern = (id, method, params = {}) =>
  ({ jsonrpc: '2.0', id, method, params: { ...params, _meta: ENVELOPE } });

let server;
before(async () => { server = await startServer(); });
after(async () => {
  if (server) await server.stop();
  assert.deepEqual(cleanUp().leftovers, []);
});

// `msb mcp` with a line-by-line view of its answers.
function startStdio() {
  const child = spawn(MSB, ['mcp'], { env: ENV, stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = [];
  const waiters = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line);  // every line must be one JSON message
    const waiter = waiters.shift();
    waiter ? waiter(message) : answers.push(message);
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    send(text) { child.stdin.write(text.endsWith('\n') ? text : `${text}\n`); },
    next() {
      return answers.length ? Promise.resolve(answers.shift()) : new Promise((resolve) => waiters.push(resolve));
    },
    async close() { child.stdin.end(); return exited; },
  };
}

describe('raw stdio', () => {
  let mcp;
  before(() => { mcp = startStdio(); });
  after(async () => { assert.equal(await mcp.close(), 0, 'msb mcp exits 0 at end of input'); });

  const cases = [
    ['not JSON', '{"jsonrpc": "2.0", "id": 1, "method": ', null, -32700],
    ['a batch', JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'ping' }]), null, -32600],
    ['an empty batch', '[]', null, -32600],
    ['a bare number', '42', null, -32600],
    ['no jsonrpc member', JSON.stringify({ id: 7, method: 'ping' }), 7, -32600],
    ['jsonrpc 1.0', JSON.stringify({ jsonrpc: '1.0', id: 8, method: 'ping' }), 8, -32600],
    ['an object id', JSON.stringify({ jsonrpc: '2.0', id: { a: 1 }, method: 'ping' }), null, -32600],
    ['a boolean id', JSON.stringify({ jsonrpc: '2.0', id: true, method: 'ping' }), null, -32600],
    ['a fractional id', JSON.stringify({ jsonrpc: '2.0', id: 1.5, method: 'ping' }), null, -32600],
    ['a numeric method', JSON.stringify({ jsonrpc: '2.0', id: 9, method: 5 }), 9, -32600],
    ['array params', JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'tools/list', params: [] }), 10, -32602],
    ['an unknown method', JSON.stringify({ jsonrpc: '2.0', id: 11, method: 'resources/list' }), 11, -32601],
    ['a tool call without a name', JSON.stringify({ jsonrpc: '2.0', id: 12, method: 'tools/call', params: {} }), 12, -32602],
    ['an unknown tool', JSON.stringify({ jsonrpc: '2.0', id: 13, method: 'tools/call', params: { name: 'rm_rf' } }), 13, -32602],
    ['a foreign cursor', JSON.stringify({ jsonrpc: '2.0', id: 14, method: 'tools/list', params: { cursor: 'x' } }), 14, -32602],
    ['a future protocol version', JSON.stringify({ jsonrpc: '2.0', id: 15, method: 'tools/list',
      params: { _meta: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } }), 15, -32022],
    ['an envelope without capabilities', JSON.stringify({ jsonrpc: '2.0', id: 16, method: 'tools/list',
      params: { _meta: { 'io.modelcontextprotocol/protocolVersion': V } } }), 16, -32602],
  ];
  for (const [what, text, id, code] of cases) {
    test(`answers ${what} with ${code}`, async () => {
      mcp.send(text);
      const answer = await mcp.next();
      assert.equal(answer.jsonrpc, '2.0');
      assert.equal(answer.id, id);
      assert.equal(answer.error?.code, code, JSON.stringify(answer));
      assert.equal(typeof answer.error.message, 'string');
    });
  }

  test('ignores notifications, responses and blank lines, and keeps serving', async () => {
    mcp.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    mcp.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/no-such-thing', params: { x: 1 } }));
    mcp.send(JSON.stringify({ jsonrpc: '2.0', id: 99, result: {} }));
    mcp.send('   ');
    mcp.send(JSON.stringify(modern('after', 'server/discover')));
    const answer = await mcp.next();
    assert.equal(answer.id, 'after');
    assert.deepEqual(answer.result.supportedVersions, [V]);
    assert.equal(answer.result.resultType, 'complete');
    assert.equal(answer.result._meta['io.modelcontextprotocol/serverInfo'].name, 'microsandbox');
  });

  test('answers a line past the size limit and reads on', { timeout: 60_000 }, async () => {
    const huge = JSON.stringify(modern(1, 'tools/call', { name: 'sandbox_fs_write',
      arguments: { name: 'x', path: '/x', content: 'a'.repeat(65 << 20) } }));
    mcp.send(huge);
    const answer = await mcp.next();
    assert.deepEqual([answer.id, answer.error.code], [null, -32600]);
    mcp.send(JSON.stringify(modern('alive', 'tools/list')));
    assert.equal((await mcp.next()).result.tools.length, 21);
  });
});

test('a stdio connection that begins in 2026-07-28 refuses initialize and envelope-less requests', async () => {
  const mcp = startStdio();
  try {
    mcp.send(JSON.stringify(modern('first', 'tools/list')));
    assert.equal((await mcp.next()).result.tools.length, 21);
    mcp.send(JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize',
                              params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }));
    const init = await mcp.next();
    assert.equal(init.error.code, -32022);
    assert.deepEqual(init.error.data.supported, [V]);
    mcp.send(JSON.stringify({ jsonrpc: '2.0', id: 'bare', method: 'tools/list' }));
    assert.equal((await mcp.next()).error.code, -32602);
    mcp.send(JSON.stringify({ jsonrpc: '2.0', id: 'ping', method: 'ping', params: { _meta: ENVELOPE } }));
    assert.equal((await mcp.next()).error.code, -32601, 'ping is not a 2026-07-28 method');
  } finally {
    assert.equal(await mcp.close(), 0);
  }
});

test('a stdio connection that begins with initialize serves both eras', async () => {
  const mcp = startStdio();
  try {
    mcp.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize',
                              params: { protocolVersion: '2099-01-01', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }));
    const init = await mcp.next();
    assert.equal(init.result.protocolVersion, '2025-11-25', 'an unknown version gets our latest');
    assert.equal(init.result.serverInfo.name, 'microsandbox');
    mcp.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }));
    assert.deepEqual((await mcp.next()).result, {});
    mcp.send(JSON.stringify(modern(3, 'tools/list')));
    assert.equal((await mcp.next()).result.resultType, 'complete');
  } finally {
    assert.equal(await mcp.close(), 0);
  }
});

describe('raw http', () => {
  async function post(body, { headers = {}, token = server.token } = {}) {
    const response = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
                 ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : null };
  }
  const modernHeaders = (method, name) =>
    ({ 'mcp-protocol-version': V, 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}) });

  test('needs the token', async () => {
    const answer = await post(modern(1, 'tools/list'), { token: null, headers: modernHeaders('tools/list') });
    assert.equal(answer.status, 401);
    assert.equal((await post(modern(1, 'tools/list'), { token: 'wrong'.repeat(10), headers: modernHeaders('tools/list') })).status, 401);
  });

  test('serves 2026-07-28 requests whose headers match the body', async () => {
    const list = await post(modern(1, 'tools/list'), { headers: modernHeaders('tools/list') });
    assert.equal(list.status, 200);
    assert.match(list.headers.get('content-type'), /application\/json/);
    assert.deepEqual([list.json.result.resultType, list.json.result.cacheScope, list.json.result.ttlMs],
                     ['complete', 'private', 0]);
    const called = await post(modern(2, 'tools/call', { name: 'sandbox_list', arguments: {} }),
                              { headers: modernHeaders('tools/call', 'sandbox_list') });
    assert.equal(called.status, 200);
    assert.equal(called.json.result.isError, false);
    // A header value sent in the protocol's base64 form ("=?base64?...?=").
    const encoded = `=?base64?${Buffer.from('sandbox_list').toString('base64')}?=`;
    const viaBase64 = await post(modern(3, 'tools/call', { name: 'sandbox_list', arguments: {} }),
                                 { headers: modernHeaders('tools/call', encoded) });
    assert.equal(viaBase64.status, 200);
  });

  const rejected = [
    ['not JSON', '{"jsonrpc":', {}, 400, -32700],
    ['a batch', '[]', {}, 400, -32600],
    ['a wrong jsonrpc', { jsonrpc: '1.0', id: 1, method: 'ping' }, {}, 400, -32600],
    ['an Mcp-Method that is not the body\'s', modern(1, 'tools/list'), modernHeaders('tools/call'), 400, -32020],
    ['a missing Mcp-Method', modern(1, 'tools/list'), { 'mcp-protocol-version': V }, 400, -32020],
    ['a missing MCP-Protocol-Version', modern(1, 'tools/list'), { 'mcp-method': 'tools/list' }, 400, -32020],
    ['an Mcp-Name that is not the tool called', modern(1, 'tools/call', { name: 'sandbox_list' }),
      modernHeaders('tools/call', 'sandbox_remove'), 400, -32020],
    ['an unsupported version', { ...modern(1, 'tools/list'), params: { _meta: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2030-01-01' } } },
      { 'mcp-protocol-version': '2030-01-01', 'mcp-method': 'tools/list' }, 400, -32022],
    ['a 2026-07-28 header without the envelope', { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      modernHeaders('tools/list'), 400, -32602],
    ['an unknown legacy version header', { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'mcp-protocol-version': '1999-01-01' }, 400, -32600],
    ['a method 2026-07-28 lacks', modern(1, 'ping'), modernHeaders('ping'), 404, -32601],
    ['a foreign Origin', modern(1, 'tools/list'), { ...modernHeaders('tools/list'), origin: 'https://evil.example' }, 403, -32600],
    ['a non-JSON content type', modern(1, 'tools/list'), { ...modernHeaders('tools/list'), 'content-type': 'text/plain' }, 415, -32600],
  ];
  for (const [what, body, headers, status, code] of rejected) {
    test(`answers ${what} with ${status} and ${code}`, async () => {
      const answer = await post(body, { headers });
      assert.equal(answer.status, status, answer.text);
      assert.equal(answer.json.error.code, code, answer.text);
    });
  }

  test('accepts notifications and responses with 202 and no body', async () => {
    for (const body of [{ jsonrpc: '2.0', method: 'notifications/initialized' },
                        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3, _meta: ENVELOPE } },
                        { jsonrpc: '2.0', id: 5, result: {} }]) {
      const answer = await post(body);
      assert.deepEqual([answer.status, answer.text], [202, '']);
    }
  });

  test('answers GET and DELETE with 405 and Allow: POST', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(server.mcpUrl, { method, headers: { authorization: `Bearer ${server.token}`, accept: 'text/event-stream' } });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'POST');
      assert.equal((await response.json()).error.code, -32000);
    }
  });

  test('stays healthy: the API still answers', async () => {
    const response = await fetch(new URL('/v1/sandboxes', server.url), { headers: { authorization: `Bearer ${server.token}` } });
    assert.equal(response.status, 200);
  });
});
