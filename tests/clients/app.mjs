// Shared set-up of the feature tests (selections, states, expressions, reload): one openqix
// process per test file, session apps loaded with a small script, list objects and helpers
// to read their layouts. Not a test file (node --test only picks up *.test.mjs here).

import assert from 'node:assert/strict';
import { after, before } from 'node:test';

import { WAIT_MS, enigmaSession, sessionAppId, startServer, withTimeout } from './server.mjs';

export const TEST = { timeout: 6 * WAIT_MS };

/** [CustomerID, Name, Country] rows of the Customers table of SCRIPT. */
export const CUSTOMERS = [
  [1, 'Acme', 'Sweden'],
  [2, 'Bolt', 'Germany'],
  [3, 'Cogs', 'Sweden'],
  [4, 'Dyno', 'Norway'],
  [5, 'Echo', 'Germany'],
];

/** [OrderID, CustomerID, Amount] rows of the Orders table of SCRIPT. */
export const ORDERS = [
  [10, 1, 100],
  [11, 1, 50],
  [12, 2, 70],
  [13, 3, 30],
  [14, 4, 25],
  [15, 5, 5],
  [16, 5, 15],
];

const inline = (header, rows) => [header, ...rows.map((row) => row.join(', '))].join('\n');

/** Customers in three countries and their orders (CustomerID links the tables). */
export const SCRIPT = `Customers:
LOAD * INLINE [
${inline('CustomerID, Name, Country', CUSTOMERS)}
];

Orders:
LOAD * INLINE [
${inline('OrderID, CustomerID, Amount', ORDERS)}
];
`;

/** Bound a call: a broken server fails the test instead of hanging it. */
export const within = (promise, what) => withTimeout(promise, what);

/**
 * Start one server for the calling test file (before/after hooks) and return
 * {server(), open(script?, url?)}: `open` makes an enigma session on a fresh session app
 * (or on `url`), sets `script` and reloads it; every session is closed after the file.
 */
export function useServer() {
  let server;
  const sessions = [];

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    await Promise.allSettled(sessions.map((s) => withTimeout(s.close(), 'enigma session close')));
    if (server) {
      const code = await server.stop();
      assert.equal(code, 0, `openqix exit code; its output:\n${server.output()}`);
    }
  });

  /** An opened enigma session on `url`: {session, global, doc, url}. */
  async function attach(url) {
    const session = enigmaSession(url);
    sessions.push(session);
    const global = await within(session.open(), 'session.open');
    const doc = await within(global.getActiveDoc(), 'getActiveDoc');
    return { session, global, doc, url };
  }

  async function open(script = SCRIPT) {
    const opened = await attach(`${server.url}${sessionAppId()}`);
    if (script !== null) {
      await within(opened.doc.setScript(script), 'setScript');
      assert.equal(await within(opened.doc.doReload(), 'doReload'), true, 'doReload is true');
    }
    return opened;
  }

  return { server: () => server, open, attach };
}

/** Properties of a list object on `field` showing its first 50 values. */
export function listProps(field, extra = {}, objectExtra = {}) {
  return {
    qInfo: { qType: 'listbox' },
    qListObjectDef: {
      qDef: { qFieldDefs: [field] },
      qShowAlternatives: true,
      qInitialDataFetch: [{ qTop: 0, qLeft: 0, qWidth: 1, qHeight: 50 }],
      ...extra,
    },
    ...objectExtra,
  };
}

/** {value text: qState} of a list object layout's first data page. */
export function listStates(layout) {
  const page = layout.qListObject.qDataPages[0];
  assert.ok(page, 'the list object layout has a data page (qInitialDataFetch)');
  return Object.fromEntries(page.qMatrix.map(([cell]) => [cell.qText, cell.qState]));
}

/** The layout of a generic object, bounded. */
export const layoutOf = (object, what = 'getLayout') => within(object.getLayout(), what);

/**
 * Count the enigma 'changed' events of `objects` ({name: api}) from now on.
 * `counts()` returns {name: number of events}; `stop()` removes the listeners.
 */
export function countChanges(objects) {
  const seen = Object.fromEntries(Object.keys(objects).map((name) => [name, 0]));
  const listeners = Object.entries(objects).map(([name, api]) => {
    const listener = () => {
      seen[name] += 1;
    };
    api.on('changed', listener);
    return [api, listener];
  });
  return {
    counts: () => ({ ...seen }),
    stop: () => listeners.forEach(([api, listener]) => api.removeListener('changed', listener)),
  };
}

/**
 * Wait until every frame the server sent before now has been received: one round trip on
 * the same socket (replies and pushes of a socket arrive in order).
 */
export const settle = (global) => within(global.engineVersion(), 'engineVersion round trip');
