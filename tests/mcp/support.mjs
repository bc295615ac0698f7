// What the MCP interoperability tests share: the engine, a private MSB_HOME, `msb mcp` and
// `msb server` as child processes, and clients of the official MCP TypeScript SDK in each
// protocol era. Run by ctest (tests/mcp/CMakeLists.txt) with MSB_PATH and
// MSB_TEST_ISOLATION set; by hand:
//   MSB_PATH=$PWD/build/bin/msb MSB_TEST_ISOLATION=namespace node --test tests/mcp/
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const MSB = process.env.MSB_PATH;
if (!MSB) throw new Error('MSB_PATH must name the msb binary (build/bin/msb)');
export const ENGINE = process.env.MSB_TEST_ISOLATION ?? 'namespace';
if (!['vm', 'namespace'].includes(ENGINE)) throw new Error(`MSB_TEST_ISOLATION: vm or namespace, not ${ENGINE}`);
// Boots and exec round trips are much slower under QEMU TCG.
export const SLOW = ENGINE === 'vm' ? 4 : 1;

// One private state root per test file (node --test runs each file in its own process).
export const HOME = mkdtempSync(join(tmpdir(), 'msb-mcp-test-'));
export const ENV = { ...process.env, MSB_HOME: HOME };
const MSB_ARGS = ['--isolation', ENGINE];

let counter = 0;
export function unique(prefix) {
  return `${prefix}-${process.pid}-${counter++}`;
}

// `msb server` on a free port with its own token; stop() sends SIGTERM and waits.
export async function startServer() {
  const tokenFile = join(HOME, `token-${counter++}`);
  writeFileSync(tokenFile, 'mcp-test-token-0123456789abcdef0123456789', { mode: 0o600 });
  const child = spawn(MSB, ['server', '--listen', '127.0.0.1:0', '--token-file', tokenFile, ...MSB_ARGS],
                      { env: ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    lines.once('line', (line) => {
      const match = /listening on (\S+)/.exec(line);
      match ? resolve(match[1]) : reject(new Error(`msb server said: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`msb server exited (${code}) before listening`)));
  });
  return {
    url,
    mcpUrl: new URL('/mcp', url),
    token: readFileSync(tokenFile, 'utf8').trim(),
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function stdioParams() {
  return { command: MSB, args: ['mcp', ...MSB_ARGS], env: ENV, stderr: 'inherit' };
}

function httpOptions(server) {
  return { requestInit: { headers: { Authorization: `Bearer ${server.token}` } } };
}

const INFO = { name: 'msb-mcp-test', version: '1.0.0' };

// A client of the current SDK (v2) in the given era mode: { pin: '2026-07-28' }, 'auto' or
// 'legacy'. `server` null: over stdio, else over the server's /mcp.
export async function connectV2(mode, server = null) {
  const client = new ClientV2(INFO, { versionNegotiation: { mode, probe: { timeoutMs: 20000 } } });
  const transport = server ? new HttpV2(server.mcpUrl, httpOptions(server)) : new StdioV2(stdioParams());
  await client.connect(transport);
  return client;
}

// A client of the 1.x SDK, which speaks only the 2025-11-25 era.
export async function connectV1(server = null) {
  const client = new ClientV1(INFO);
  const transport = server ? new HttpV1(server.mcpUrl, httpOptions(server)) : new StdioV1(stdioParams());
  await client.connect(transport);
  return { client, transport };
}

// Calls a tool and returns its structured result; asserts the call succeeded unless
// `expectError`.
export async function call(client, name, args = {}, { expectError = false } = {}) {
  const result = await client.callTool({ name, arguments: args });
  if (Boolean(result.isError) !== expectError)
    throw new Error(`${name}: isError=${result.isError}: ${JSON.stringify(result.content)}`);
  if (result.content?.[0]?.type !== 'text') throw new Error(`${name}: no text content`);
  return result.structuredContent;
}

// After a file's tests: every sandbox gone (killed and removed), no process left that runs
// under this MSB_HOME, and the state root deleted.
export function cleanUp() {
  const listed = JSON.parse(execFileSync(MSB, ['ls', '--format', 'json'], { env: ENV }).toString());
  for (const sandbox of listed) {
    try {
      execFileSync(MSB, ['rm', '--force', sandbox.name], { env: ENV, stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
  const leftovers = ourProcesses();
  rmSync(HOME, { recursive: true, force: true });
  return { sandboxes: listed.map((s) => s.name), leftovers };
}

function ourProcesses() {
  const marker = `MSB_HOME=${HOME}\0`;
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (environ.includes(marker) && !stat.includes(') Z ')) found.push(`${entry} ${stat.split(' ')[1]}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}
