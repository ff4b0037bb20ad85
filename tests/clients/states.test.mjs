// Alternate states and change notifications as enigma.js sees them: the 'changed' event of an
// object fires when the server lists its handle in `change` (in a reply, or pushed to another
// socket of the same session), and only then. Data: app.mjs SCRIPT.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { nextEvent } from './server.mjs';
import {
  TEST,
  countChanges,
  layoutOf,
  listProps,
  listStates,
  settle,
  useServer,
  within,
} from './app.mjs';

const { open, attach } = useServer();

const ALL_POSSIBLE = { Germany: 'O', Norway: 'O', Sweden: 'O' };

function cubeProps(state, measure = 'Sum(Amount)') {
  return {
    qInfo: { qType: 'table' },
    qStateName: state,
    qHyperCubeDef: {
      qDimensions: [{ qDef: { qFieldDefs: ['Country'] } }],
      qMeasures: [{ qDef: { qDef: measure } }],
      qInitialDataFetch: [{ qTop: 0, qLeft: 0, qWidth: 2, qHeight: 50 }],
    },
  };
}

/** {dimension text: measure number} of a cube layout's first page. */
function cubeTotals(layout) {
  const page = layout.qHyperCube.qDataPages[0];
  assert.ok(page, 'the hypercube layout has a data page');
  return Object.fromEntries(page.qMatrix.map(([dim, measure]) => [dim.qText, measure.qNum]));
}

describe('alternate states', () => {
  test('AddAlternateState: qStateNames, and objects in that state keep their own selections', TEST, async () => {
    const { doc, global } = await open();
    assert.deepEqual((await within(doc.getAppLayout(), 'GetAppLayout')).qStateNames, []);

    const docChanged = nextEvent(doc, 'changed');
    await within(doc.addAlternateState('Other'), 'AddAlternateState');
    await docChanged; // the Doc handle is in `change`: qStateNames differs
    assert.deepEqual((await within(doc.getAppLayout(), 'GetAppLayout')).qStateNames, ['Other']);

    const plain = await within(doc.createSessionObject(listProps('Country')), '$ list');
    const other = await within(
      doc.createSessionObject(listProps('Country', { qStateName: 'Other' })),
      'Other list (state in the def)',
    );
    const otherByObject = await within(
      doc.createSessionObject(listProps('Name', {}, { qStateName: 'Other' })),
      'Other list (state on the object)',
    );
    const cubeOther = await within(doc.createSessionObject(cubeProps('Other')), 'Other cube');
    for (const object of [plain, other, otherByObject, cubeOther]) await layoutOf(object);

    // A selection in $ changes the $ object only.
    const changes = countChanges({ plain, other, otherByObject, cubeOther });
    const country = await within(doc.getField('Country'), 'getField $');
    assert.equal(await within(country.selectValues([{ qText: 'Sweden' }]), 'select $'), true);
    await settle(global);
    assert.deepEqual(changes.counts(), { plain: 1, other: 0, otherByObject: 0, cubeOther: 0 });
    changes.stop();

    assert.deepEqual(listStates(await layoutOf(plain)), {
      Germany: 'A',
      Norway: 'A',
      Sweden: 'S',
    });
    assert.deepEqual(listStates(await layoutOf(other)), ALL_POSSIBLE);
    assert.equal(listStates(await layoutOf(otherByObject)).Bolt, 'O');
    assert.deepEqual(cubeTotals(await layoutOf(cubeOther)), {
      Germany: 90,
      Norway: 25,
      Sweden: 180,
    });

    // A Field handle of state Other selects there; the $ objects don't change.
    const again = countChanges({ plain, other, otherByObject, cubeOther });
    const countryOther = await within(doc.getField('Country', 'Other'), 'getField Other');
    assert.equal(await within(countryOther.selectValues([{ qText: 'Norway' }]), 'select'), true);
    await settle(global);
    assert.deepEqual(again.counts(), { plain: 0, other: 1, otherByObject: 1, cubeOther: 1 });
    again.stop();
    assert.equal(listStates(await layoutOf(other)).Norway, 'S');
    assert.deepEqual(cubeTotals(await layoutOf(cubeOther)), { Norway: 25 });
    assert.equal(listStates(await layoutOf(plain)).Sweden, 'S', '$ keeps its selection');

    // ClearAll in state Other leaves $ alone.
    await within(doc.clearAll(false, 'Other'), 'ClearAll Other');
    assert.deepEqual(listStates(await layoutOf(other)), ALL_POSSIBLE);
    assert.equal(listStates(await layoutOf(plain)).Sweden, 'S');
  });

  test('a $ object whose measure names {Other} follows the selections of Other', TEST, async () => {
    const { doc, global } = await open();
    await within(doc.addAlternateState('Other'), 'AddAlternateState');
    const follows = await within(
      doc.createSessionObject(cubeProps('$', 'Sum({Other} Amount)')),
      'cube in $ reading {Other}',
    );
    const plain = await within(doc.createSessionObject(cubeProps('$')), 'plain cube in $');
    await layoutOf(follows);
    await layoutOf(plain);
    const changes = countChanges({ follows, plain });
    const name = await within(doc.getField('Name', 'Other'), 'getField Name in Other');
    assert.equal(await within(name.selectValues([{ qText: 'Echo' }]), 'select Echo'), true);
    await settle(global);
    assert.deepEqual(changes.counts(), { follows: 1, plain: 0 });
    changes.stop();
    // Rows come from $ (nothing selected), the measure reads Other (Echo's orders only).
    assert.equal(cubeTotals(await layoutOf(follows)).Germany, 20);
    assert.deepEqual(cubeTotals(await layoutOf(plain)), { Germany: 90, Norway: 25, Sweden: 180 });
  });

  test(
    '{$} in an object of state Other reads the default state',
    TEST,
    async () => {
      const { doc } = await open();
      await within(doc.addAlternateState('Other'), 'AddAlternateState');
      const cube = await within(
        doc.createSessionObject(cubeProps('Other', 'Sum({$} Amount)')),
        'cube in Other reading {$}',
      );
      const name = await within(doc.getField('Name'), 'getField Name');
      assert.equal(await within(name.selectValues([{ qText: 'Echo' }]), 'select Echo'), true);
      assert.equal(cubeTotals(await layoutOf(cube)).Germany, 20);
    },
  );

  test('RemoveAlternateState: qStateNames shrinks and the object reports an error', TEST, async () => {
    const { doc } = await open();
    await within(doc.addAlternateState('Gone'), 'AddAlternateState');
    const list = await within(
      doc.createSessionObject(listProps('Country', { qStateName: 'Gone' })),
      'list in Gone',
    );
    assert.deepEqual(listStates(await layoutOf(list)), ALL_POSSIBLE);
    const listChanged = nextEvent(list, 'changed');
    await within(doc.removeAlternateState('Gone'), 'RemoveAlternateState');
    await listChanged;
    assert.deepEqual((await within(doc.getAppLayout(), 'GetAppLayout')).qStateNames, []);
    const layout = await layoutOf(list);
    assert.ok(layout.qListObject.qError, `qError in the layout: ${JSON.stringify(layout.qListObject)}`);
  });
});

describe('two enigma sessions on the same URL', () => {
  test('share selections and states, and both hear about changes', TEST, async () => {
    const first = await open();
    const second = await attach(first.url);
    assert.equal(second.doc.id, first.doc.id, 'the same session app');

    const list1 = await within(first.doc.createSessionObject(listProps('Country')), 'list 1');
    const list2 = await within(second.doc.createSessionObject(listProps('Country')), 'list 2');
    await layoutOf(list1);
    await layoutOf(list2);

    // Socket 1 selects; socket 2's object gets a pushed change and sees the selection.
    const changed2 = nextEvent(list2, 'changed');
    const changed1 = nextEvent(list1, 'changed');
    const country1 = await within(first.doc.getField('Country'), 'getField 1');
    assert.equal(await within(country1.select('Germany'), 'select on 1'), true);
    await Promise.all([changed1, changed2]);
    assert.equal(listStates(await layoutOf(list2)).Germany, 'S');

    // Socket 2 selects back: socket 1 hears about it, and sees the history of both.
    const heard = nextEvent(list1, 'changed');
    const country2 = await within(second.doc.getField('Country'), 'getField 2');
    assert.equal(await within(country2.selectValues([{ qText: 'Norway' }]), 'select 2'), true);
    await heard;
    assert.equal(listStates(await layoutOf(list1)).Norway, 'S');
    assert.equal(await within(first.doc.backCount(), 'BackCount'), 2);

    // A state added on socket 1 shows on socket 2 (its Doc handle is changed too), and an
    // object of that state on socket 2 ignores $ selections made on socket 1.
    const docChanged2 = nextEvent(second.doc, 'changed');
    await within(first.doc.addAlternateState('B'), 'AddAlternateState');
    await docChanged2;
    assert.deepEqual((await within(second.doc.getAppLayout(), 'layout')).qStateNames, ['B']);
    const listB = await within(
      second.doc.createSessionObject(listProps('Country', { qStateName: 'B' })),
      'list in B on 2',
    );
    assert.deepEqual(listStates(await layoutOf(listB)), ALL_POSSIBLE);
    const changes = countChanges({ list2, listB });
    await within(first.doc.clearAll(), 'ClearAll on 1');
    await settle(first.global);
    await settle(second.global);
    assert.deepEqual(changes.counts(), { list2: 1, listB: 0 });
    changes.stop();
    assert.deepEqual(listStates(await layoutOf(list2)), ALL_POSSIBLE);
  });
});
