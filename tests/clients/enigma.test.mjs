// enigma.js 2.15 (unchanged, with its bundled 12.2027.0 schema) against an openqix process.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  WAIT_MS,
  enigmaSession,
  nextEvent,
  sessionAppId,
  startServer,
  withTimeout,
} from './server.mjs';

const SCRIPT = `Customers:
LOAD * INLINE [
CustomerID, Name, Country
1, Acme, Sweden
2, Bolt, Germany
3, Cogs, Sweden
];

Orders:
LOAD * INLINE [
OrderID, CustomerID, Amount
10, 1, 100
11, 1, 50
12, 2, 70
13, 3, 30
];
`;

const TEST = { timeout: 6 * WAIT_MS };

function listProps(field, extra = {}) {
  return {
    qInfo: { qType: 'listbox' },
    qListObjectDef: {
      qDef: { qFieldDefs: [field] },
      qInitialDataFetch: [{ qTop: 0, qLeft: 0, qWidth: 1, qHeight: 50 }],
      ...extra,
    },
  };
}

const CUBE_PROPS = {
  qInfo: { qType: 'table' },
  qHyperCubeDef: {
    qDimensions: [{ qDef: { qFieldDefs: ['Country'] } }],
    qMeasures: [{ qDef: { qDef: 'Sum(Amount)' } }],
    qInitialDataFetch: [{ qTop: 0, qLeft: 0, qWidth: 2, qHeight: 50 }],
  },
};

/** {value text: state} of a list object layout's first data page. */
function listStates(layout) {
  const page = layout.qListObject.qDataPages[0];
  assert.ok(page, 'the list object layout has a data page (qInitialDataFetch)');
  return Object.fromEntries(page.qMatrix.map(([cell]) => [cell.qText, cell.qState]));
}

/** {dimension text: measure number} of a cube's rows, plus the dimension cells' states. */
function cubeRows(matrix) {
  const totals = {};
  const states = {};
  for (const [dim, measure] of matrix) {
    totals[dim.qText] = measure.qNum;
    states[dim.qText] = dim.qState;
  }
  return { totals, states };
}

function cubeLayoutRows(layout) {
  const page = layout.qHyperCube.qDataPages[0];
  assert.ok(page, 'the hypercube layout has a data page (qInitialDataFetch)');
  return cubeRows(page.qMatrix);
}

/** Bound a call: a broken server fails the test instead of hanging it. */
const within = (promise, what) => withTimeout(promise, what);

let server;
const sessions = [];

function track(session) {
  sessions.push(session);
  return session;
}

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

/** Open a session app, load SCRIPT into it and return {session, global, doc, url}. */
async function reloadedSessionApp() {
  const url = `${server.url}${sessionAppId()}`;
  const session = track(enigmaSession(url));
  const global = await within(session.open(), 'session.open');
  const doc = await within(global.getActiveDoc(), 'getActiveDoc');
  await within(doc.setScript(SCRIPT), 'setScript');
  const reloaded = await within(doc.doReload(), 'doReload');
  assert.equal(reloaded, true, 'doReload() resolves to true');
  return { session, global, doc, url };
}

describe('a session app driven by enigma.js', () => {
  test('reload, list object and hypercube layouts, then a selection', TEST, async () => {
    const { global, doc, url } = await reloadedSessionApp();
    assert.equal(typeof (await within(global.engineVersion(), 'engineVersion')), 'object');
    assert.equal(doc.type, 'Doc');
    assert.equal(doc.id, new URL(url).pathname.split('/').at(-1), 'Doc api.id is the app id');
    assert.ok(doc.handle > 0, 'handles are positive');

    const names = await within(doc.createSessionObject(listProps('Name')), 'list object');
    assert.equal(names.type, 'GenericObject');
    assert.equal(names.genericType, 'listbox');
    assert.ok(names.id, 'a session object has an id');
    const cube = await within(doc.createSessionObject(CUBE_PROPS), 'hypercube object');
    assert.notEqual(cube.handle, names.handle);

    const nameLayout = await within(names.getLayout(), 'list object layout');
    assert.deepEqual(listStates(nameLayout), { Acme: 'O', Bolt: 'O', Cogs: 'O' });
    const cubeLayout = await within(cube.getLayout(), 'hypercube layout');
    const before = cubeLayoutRows(cubeLayout);
    assert.deepEqual(before.totals, { Germany: 70, Sweden: 180 });
    assert.deepEqual(before.states, { Germany: 'O', Sweden: 'O' });

    // Select Sweden in Country (the other table): both objects are reported changed.
    const country = await within(doc.getField('Country'), 'getField');
    assert.equal(country.type, 'Field');
    const namesChanged = nextEvent(names, 'changed');
    const cubeChanged = nextEvent(cube, 'changed');
    const selected = await within(country.selectValues([{ qText: 'Sweden' }]), 'selectValues');
    assert.equal(selected, true);
    await Promise.all([namesChanged, cubeChanged]);

    assert.deepEqual(listStates(await within(names.getLayout(), 'layout')), {
      Acme: 'O',
      Bolt: 'X',
      Cogs: 'O',
    });
    const after = cubeLayoutRows(await within(cube.getLayout(), 'layout'));
    assert.deepEqual(after.totals, { Sweden: 180 });
    const pages = await within(
      cube.getHyperCubeData('/qHyperCubeDef', [{ qTop: 0, qLeft: 0, qWidth: 2, qHeight: 50 }]),
      'getHyperCubeData',
    );
    assert.deepEqual(cubeRows(pages[0].qMatrix).totals, { Sweden: 180 });

    const countries = await within(
      doc.createSessionObject(listProps('Country', { qShowAlternatives: true })),
      'Country list object',
    );
    assert.deepEqual(listStates(await within(countries.getLayout(), 'layout')), {
      Germany: 'A',
      Sweden: 'S',
    });

    const again = await within(doc.getObject(names.id), 'getObject by id');
    assert.equal(again.handle, names.handle, 'getObject returns the live handle');
  });

  test('a second socket on the same URL shares the doc, selections and changes', TEST, async () => {
    const first = await reloadedSessionApp();
    const country = await within(first.doc.getField('Country'), 'getField');
    assert.equal(await within(country.selectValues([{ qText: 'Sweden' }]), 'select'), true);

    const second = track(enigmaSession(first.url));
    const connected = nextEvent(second, 'notification:OnConnected');
    const global2 = await within(second.open(), 'second session.open');
    const [greeting] = await connected;
    assert.equal(greeting.qSessionState, 'SESSION_ATTACHED');
    const doc2 = await within(global2.getActiveDoc(), 'second getActiveDoc');
    assert.equal(doc2.id, first.doc.id, 'the same session app');

    const countries = await within(
      doc2.createSessionObject(listProps('Country', { qShowAlternatives: true })),
      'list object on the second socket',
    );
    assert.deepEqual(listStates(await within(countries.getLayout(), 'layout')), {
      Germany: 'A',
      Sweden: 'S',
    });

    // The first socket changes the selection: the second socket's object hears about it
    // without asking (a pushed change frame).
    const changed = nextEvent(countries, 'changed');
    assert.equal(await within(country.selectValues([{ qText: 'Germany' }]), 'select'), true);
    await changed;
    assert.deepEqual(listStates(await within(countries.getLayout(), 'layout')), {
      Germany: 'S',
      Sweden: 'A',
    });

    await within(second.close(), 'second session close');
    // The first socket still works after the second one left.
    const cube = await within(first.doc.createSessionObject(CUBE_PROPS), 'cube');
    assert.deepEqual(cubeLayoutRows(await within(cube.getLayout(), 'layout')).totals, {
      Germany: 70,
    });
  });
});

describe('errors as enigma.js sees them', () => {
  test('an unknown method is rejected with -32601', TEST, async () => {
    const session = track(enigmaSession(`${server.url}${sessionAppId()}`));
    const global = await within(session.open(), 'session.open');
    const call = session.send({ handle: -1, method: 'NoSuchMethod', params: [] });
    await assert.rejects(within(call, 'NoSuchMethod'), (error) => {
      assert.equal(error.code, -32601);
      assert.notEqual(error.enigmaError, true, 'an engine error, not a client one');
      return true;
    });
    // The socket is still usable afterwards.
    const version = await within(global.engineVersion(), 'engineVersion');
    assert.equal(typeof version.qComponentVersion, 'string');
  });

  test('getObject of a missing id rejects (enigma OBJECT_NOT_FOUND -2)', TEST, async () => {
    const session = track(enigmaSession(`${server.url}${sessionAppId()}`));
    const global = await within(session.open(), 'session.open');
    const doc = await within(global.getActiveDoc(), 'getActiveDoc');
    await assert.rejects(within(doc.getObject('nope'), 'getObject'), (error) => {
      assert.equal(error.code, -2);
      return true;
    });
  });

  test('openDoc of a missing app rejects with 1003', TEST, async () => {
    const session = track(enigmaSession(server.url));
    const global = await within(session.open(), 'session.open');
    await assert.rejects(within(global.getActiveDoc(), 'getActiveDoc'), (error) => {
      assert.notEqual(error.enigmaError, true, 'no active doc is an engine error');
      return true;
    });
    await assert.rejects(within(global.openDoc('does-not-exist'), 'openDoc'), (error) => {
      assert.equal(error.code, 1003);
      return true;
    });
  });
});
