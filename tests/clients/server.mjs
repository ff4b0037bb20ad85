// Shared helpers for the client tests: run an openqix server process, bound every wait.
//
// Not a test file (node --test only picks up *.test.mjs here), imported by the tests.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import WebSocket from 'ws';

const require = createRequire(import.meta.url);
export const enigma = require('enigma.js');
export const schema = require('enigma.js/schemas/12.2027.0.json');

/** How long any single wait (start-up, a reply, an event, shutdown) may take. */
export const WAIT_MS = 15_000;

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.OPENQIX_PYTHON || resolve(HERE, '../../.venv/bin/python');
const READY = /openqix is listening on (ws:\/\/\S+\/app\/)/;

/** Reject with a clear message when `promise` takes longer than `ms`. */
export function withTimeout(promise, what, ms = WAIT_MS) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** The next `name` event of an event emitter (enigma API, session or ws), within `ms`. */
export function nextEvent(emitter, name, ms = WAIT_MS) {
  let listener;
  const happened = new Promise((resolveEvent) => {
    listener = (...args) => resolveEvent(args);
    emitter.on(name, listener);
  });
  return withTimeout(happened, `'${name}' event`, ms).finally(() =>
    emitter.removeListener(name, listener),
  );
}

/**
 * Start `python -m openqix serve --port 0` on a fresh data dir and wait for its ready line.
 * Returns {url, port, stop, output}; `stop()` sends SIGTERM and resolves to the exit code
 * (idempotent: later calls return the same code).
 */
export async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'openqix-clients-'));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('OPENQIX_')),
  );
  const args = ['-m', 'openqix', 'serve', '--host', '127.0.0.1', '--port', '0'];
  const child = spawn(PYTHON, [...args, '--data-dir', dataDir], {
    cwd: dataDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise((resolveExit) => {
    child.on('close', (code, signal) => resolveExit({ code, signal }));
    child.on('error', (error) => resolveExit({ code: null, signal: null, error }));
  });

  const lines = createInterface({ input: child.stdout });
  const ready = new Promise((resolveReady, rejectReady) => {
    lines.on('line', (line) => {
      keep(`${line}\n`);
      const match = READY.exec(line);
      if (match) resolveReady(match[1]);
    });
    exited.then(({ code, signal, error }) =>
      rejectReady(
        new Error(
          `openqix exited before it was ready (code ${code}, signal ${signal}` +
            `${error ? `, ${error.message}` : ''}):\n${output}`,
        ),
      ),
    );
  });

  let stopped;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      try {
        const { code, signal } = await withTimeout(exited, 'openqix to exit after SIGTERM');
        return code ?? signal;
      } catch (error) {
        child.kill('SIGKILL');
        throw error;
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    })();
    return stopped;
  };

  let url;
  try {
    url = await withTimeout(ready, 'the "openqix is listening" line');
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return { url, port: Number(new URL(url).port), stop, output: () => output };
}

/** A random SessionApp id: every test gets its own session app. */
export function sessionAppId() {
  return `SessionApp_${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
}

/** An enigma.js session on `url` (not yet opened). */
export function enigmaSession(url) {
  return enigma.create({ schema, url, createSocket: (socketUrl) => new WebSocket(socketUrl) });
}

/**
 * A plain ws socket on `url` that records its messages and how it closed.
 * `opened()` resolves on open; `closed()` resolves to {code, reason}; `messages` holds the
 * parsed frames received so far; `received(n)` waits for n of them.
 */
export function rawSocket(url) {
  const socket = new WebSocket(url);
  const messages = [];
  const waiters = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    for (const waiter of waiters.splice(0)) waiter();
  });
  const closed = new Promise((resolveClose) => {
    socket.on('close', (code, reason) => {
      resolveClose({ code, reason: reason.toString() });
      for (const waiter of waiters.splice(0)) waiter();
    });
  });
  socket.on('error', () => {}); // a refused upgrade also shows up as a close
  const opened = new Promise((resolveOpen, rejectOpen) => {
    socket.once('open', resolveOpen);
    socket.once('close', (code) => rejectOpen(new Error(`closed before open: ${code}`)));
  });
  opened.catch(() => {});

  /** Wait until `messages` holds at least `count` frames. */
  async function received(count, ms = WAIT_MS) {
    const enough = (async () => {
      while (messages.length < count) {
        if (socket.readyState === WebSocket.CLOSED) {
          throw new Error(`socket closed after ${messages.length} of ${count} frames`);
        }
        await new Promise((wake) => waiters.push(wake));
      }
      return messages;
    })();
    return withTimeout(enough, `${count} frame(s) on ${url}`, ms);
  }

  return {
    socket,
    messages,
    received,
    opened: () => withTimeout(opened, `open ${url}`),
    closed: () => withTimeout(closed, `close of ${url}`),
  };
}
