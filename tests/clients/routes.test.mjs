// Plain ws sockets: the greeting, the close codes of bad routes, and shutdown on SIGTERM.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  WAIT_MS,
  enigmaSession,
  nextEvent,
  rawSocket,
  sessionAppId,
  startServer,
  withTimeout,
} from './server.mjs';

const TEST = { timeout: 4 * WAIT_MS };
const TRACE_ID = /^[0-9a-f]{32}$/;

let server;
let origin;

before(async () => {
  server = await startServer();
  origin = server.url.replace(/\/app\/$/, '');
});

after(async () => {
  if (server) {
    const code = await server.stop();
    assert.equal(code, 0, `openqix exit code; its output:\n${server.output()}`);
  }
});

function assertQepReason(reason, qep) {
  let parsed;
  assert.doesNotThrow(() => {
    parsed = JSON.parse(reason);
  }, `the close reason is JSON: ${reason}`);
  assert.equal(parsed.code, qep);
  assert.match(parsed.traceId, TRACE_ID);
}

test('the first frame is OnConnected SESSION_CREATED, then requests are answered', TEST, async () => {
  const raw = rawSocket(`${server.url}${sessionAppId()}`);
  await raw.opened();
  const [greeting] = await raw.received(1);
  assert.deepEqual(greeting, {
    jsonrpc: '2.0',
    method: 'OnConnected',
    params: { qSessionState: 'SESSION_CREATED' },
  });
  raw.socket.send(
    JSON.stringify({ delta: true, handle: -1, method: 'EngineVersion', params: [], id: 1, jsonrpc: '2.0' }),
  );
  const [, reply] = await raw.received(2);
  assert.equal(reply.id, 1);
  assert.equal(reply.jsonrpc, '2.0');
  assert.ok(reply.result, `EngineVersion has a result: ${JSON.stringify(reply)}`);
  raw.socket.close(1000);
  assert.equal((await raw.closed()).code, 1000, 'the client close code is echoed');
});

test('a path that is not an engine route is closed with 4202', TEST, async () => {
  const raw = rawSocket(`${origin}/not-an-engine-route`);
  const { code, reason } = await raw.closed();
  assert.equal(code, 4202);
  assertQepReason(reason, 'QEP-102');
  assert.deepEqual(raw.messages, [], 'no greeting on a refused route');
});

test('an app that does not exist is closed with 4204 and a QEP-104 reason', TEST, async () => {
  const raw = rawSocket(`${server.url}no-such-app`);
  const { code, reason } = await raw.closed();
  assert.equal(code, 4204);
  assertQepReason(reason, 'QEP-104');
  assert.deepEqual(raw.messages, [], 'no greeting on a refused app');
});

// Last: it stops the server (the after hook then only checks the exit code).
test('SIGTERM closes open sockets with 1001 and the process exits 0', TEST, async () => {
  const raw = rawSocket(`${server.url}${sessionAppId()}`);
  await raw.opened();
  await raw.received(1);
  const session = enigmaSession(`${server.url}${sessionAppId()}`);
  await withTimeout(session.open(), 'session.open');
  const enigmaClosed = nextEvent(session, 'closed');

  const exitCode = server.stop();
  assert.equal((await raw.closed()).code, 1001);
  const [event] = await enigmaClosed;
  assert.equal(event.code, 1001, 'enigma emits closed(1001): not a silent 1000');
  assert.equal(await exitCode, 0);
});
