// Selections as enigma.js makes them: Field handles, list objects, the current-selections
// object, history (Back/Forward), locks and ClearAll. Data: app.mjs SCRIPT.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { TEST, layoutOf, listProps, listStates, useServer, within } from './app.mjs';

const { open } = useServer();

const ZERO_COUNTS = {
  qLocked: 0,
  qSelected: 0,
  qOption: 0,
  qDeselected: 0,
  qAlternative: 0,
  qExcluded: 0,
  qSelectedExcluded: 0,
  qLockedExcluded: 0,
};

/** qDimensionInfo.qStateCounts of a list object layout, checked to hold all 8 counters. */
function stateCounts(layout) {
  const counts = layout.qListObject.qDimensionInfo.qStateCounts;
  assert.deepEqual(Object.keys(counts).sort(), Object.keys(ZERO_COUNTS).sort());
  return counts;
}

const CURRENT_SELECTIONS = {
  qInfo: { qType: 'current-selections' },
  qSelectionObjectDef: { qStateName: '$' },
  alternateStates: [],
};

/** A doc with list objects on Country and Name, and the Field handles of both. */
async function countriesAndNames() {
  const opened = await open();
  const { doc } = opened;
  const countries = await within(doc.createSessionObject(listProps('Country')), 'Country list');
  const names = await within(doc.createSessionObject(listProps('Name')), 'Name list');
  const country = await within(doc.getField('Country'), 'getField Country');
  const name = await within(doc.getField('Name'), 'getField Name');
  return { ...opened, countries, names, country, name };
}

describe('Field handles and list objects', () => {
  test('Field.Select with a search string; qState and qStateCounts', TEST, async () => {
    const { countries, names, country, doc } = await countriesAndNames();
    assert.deepEqual(stateCounts(await layoutOf(names)), { ...ZERO_COUNTS, qOption: 5 });

    assert.equal(await within(country.select('s*'), 'Select s*'), true, 'wildcard, any case');
    const countryLayout = await layoutOf(countries);
    assert.deepEqual(listStates(countryLayout), { Germany: 'A', Norway: 'A', Sweden: 'S' });
    assert.deepEqual(stateCounts(countryLayout), { ...ZERO_COUNTS, qSelected: 1, qAlternative: 2 });
    const nameLayout = await layoutOf(names);
    assert.deepEqual(listStates(nameLayout), {
      Acme: 'O',
      Bolt: 'X',
      Cogs: 'O',
      Dyno: 'X',
      Echo: 'X',
    });
    assert.deepEqual(stateCounts(nameLayout), { ...ZERO_COUNTS, qOption: 2, qExcluded: 3 });

    // A search that matches nothing answers false.
    assert.equal(await within(country.select('Nowhere*'), 'Select Nowhere*'), false);

    // A numeric search on another field: Amount >= 50 keeps the orders of Acme and Bolt.
    const amount = await within(doc.getField('Amount'), 'getField Amount');
    assert.equal(await within(amount.select('>=50'), 'Select >=50'), true);
    assert.deepEqual(listStates(await layoutOf(names)), {
      Acme: 'O',
      Bolt: 'X',
      Cogs: 'X',
      Dyno: 'X',
      Echo: 'X',
    });
  });

  test('Field.SelectValues by text, by number, and toggling', TEST, async () => {
    const { doc, countries, names, name } = await countriesAndNames();
    const picked = [{ qText: 'Acme' }, { qText: 'Dyno' }];
    assert.equal(await within(name.selectValues(picked), 'SelectValues'), true);
    assert.deepEqual(listStates(await layoutOf(names)), {
      Acme: 'S',
      Bolt: 'A',
      Cogs: 'A',
      Dyno: 'S',
      Echo: 'A',
    });
    assert.deepEqual(listStates(await layoutOf(countries)), {
      Germany: 'X',
      Norway: 'O',
      Sweden: 'O',
    });

    // Toggle Acme off: only Dyno stays selected.
    assert.equal(await within(name.selectValues([{ qText: 'Acme' }], true), 'toggle'), true);
    assert.deepEqual(stateCounts(await layoutOf(names)), {
      ...ZERO_COUNTS,
      qSelected: 1,
      qAlternative: 4,
    });

    // A numeric field takes qNumber with qIsNumeric; it replaces the Name selection's effect.
    const ids = await within(doc.getField('CustomerID'), 'getField CustomerID');
    const two = [{ qText: '', qIsNumeric: true, qNumber: 2 }];
    assert.equal(await within(ids.selectValues(two), 'SelectValues number'), true);
    const countryStates = listStates(await layoutOf(countries));
    // Dyno (Norway) is still selected in Name, customer 2 is Bolt (Germany): the Name
    // selection conflicts and is cleared, Germany is the only possible country.
    assert.deepEqual(countryStates, { Germany: 'O', Norway: 'X', Sweden: 'X' });
    assert.equal(listStates(await layoutOf(names)).Bolt, 'O');
  });

  test('a list object selects its own values (SelectListObjectValues)', TEST, async () => {
    const { countries, names } = await countriesAndNames();
    const layout = await layoutOf(countries);
    const norway = layout.qListObject.qDataPages[0].qMatrix.find(([c]) => c.qText === 'Norway');
    const ok = await within(
      countries.selectListObjectValues('/qListObjectDef', [norway[0].qElemNumber], false),
      'SelectListObjectValues',
    );
    assert.equal(ok, true);
    assert.deepEqual(listStates(await layoutOf(names)), {
      Acme: 'X',
      Bolt: 'X',
      Cogs: 'X',
      Dyno: 'O',
      Echo: 'X',
    });
  });
});

describe('current selections and history', () => {
  test('the current-selections object lists fields in selection order', TEST, async () => {
    const { doc, country, name } = await countriesAndNames();
    const current = await within(doc.createSessionObject(CURRENT_SELECTIONS), 'current selections');
    let layout = (await layoutOf(current)).qSelectionObject;
    assert.deepEqual(layout.qSelections, []);
    assert.equal(layout.qBackCount, 0);
    assert.equal(layout.qForwardCount, 0);

    assert.equal(await within(country.selectValues([{ qText: 'Sweden' }]), 'select'), true);
    assert.equal(await within(name.select('Acme'), 'select Acme'), true);
    layout = (await layoutOf(current)).qSelectionObject;
    assert.deepEqual(
      layout.qSelections.map((item) => [item.qField, item.qSelected, item.qSelectedCount, item.qTotal]),
      [
        ['Country', 'Sweden', 1, 3],
        ['Name', 'Acme', 1, 5],
      ],
    );
    assert.equal(layout.qBackCount, 2);
    assert.equal(layout.qForwardCount, 0);
    const [countryItem] = layout.qSelections;
    assert.equal(countryItem.qStateCounts.qSelected, 1);
    assert.deepEqual(countryItem.qSelectedFieldSelectionInfo, [
      { qName: 'Sweden', qFieldSelectionMode: 'NORMAL' },
    ]);
    assert.deepEqual(countryItem.qRangeInfo, []);
  });

  test('Back, Forward, BackCount and ForwardCount', TEST, async () => {
    const { doc, countries, country } = await countriesAndNames();
    assert.equal(await within(doc.backCount(), 'BackCount'), 0);
    await within(country.selectValues([{ qText: 'Sweden' }]), 'select Sweden');
    await within(country.selectValues([{ qText: 'Norway' }]), 'select Norway');
    assert.equal(await within(doc.backCount(), 'BackCount'), 2);
    assert.equal(listStates(await layoutOf(countries)).Norway, 'S');

    await within(doc.back(), 'Back');
    assert.equal(await within(doc.backCount(), 'BackCount'), 1);
    assert.equal(await within(doc.forwardCount(), 'ForwardCount'), 1);
    assert.deepEqual(listStates(await layoutOf(countries)), {
      Germany: 'A',
      Norway: 'A',
      Sweden: 'S',
    });

    await within(doc.back(), 'Back');
    assert.deepEqual(listStates(await layoutOf(countries)), {
      Germany: 'O',
      Norway: 'O',
      Sweden: 'O',
    });
    await within(doc.forward(), 'Forward');
    await within(doc.forward(), 'Forward');
    assert.equal(listStates(await layoutOf(countries)).Norway, 'S');
    assert.equal(await within(doc.forwardCount(), 'ForwardCount'), 0);

    // A new selection after Back drops the forward steps.
    await within(doc.back(), 'Back');
    await within(country.selectValues([{ qText: 'Germany' }]), 'select Germany');
    assert.equal(await within(doc.forwardCount(), 'ForwardCount'), 0);
  });

  test('calls that change nothing report no change', TEST, async () => {
    const { session, countries, names, country, doc } = await countriesAndNames();
    await layoutOf(countries);
    await layoutOf(names);
    await within(country.selectValues([{ qText: 'Sweden' }]), 'select Sweden');
    const changes = [];
    const record = (data) => {
      if (data.id !== undefined) changes.push(data.change ?? []);
    };
    session.on('traffic:received', record);
    try {
      assert.equal(await within(country.select('Nowhere*'), 'Select Nowhere*'), false);
      assert.equal(await within(country.selectValues([{ qText: 'Sweden' }]), 'again'), true);
      await within(doc.clearAll(), 'ClearAll');
      await within(doc.clearAll(), 'ClearAll again');
      await within(doc.lockAll(), 'LockAll of nothing');
    } finally {
      session.removeListener('traffic:received', record);
    }
    // Only the first ClearAll changed the list objects.
    const both = [countries.handle, names.handle].sort((a, b) => a - b);
    assert.deepEqual(
      changes.map((handles) => [...handles].sort((a, b) => a - b)),
      [[], [], both, [], []],
    );
    assert.equal(await within(doc.backCount(), 'BackCount'), 2);
  });

  test('LockAll, UnlockAll and ClearAll', TEST, async () => {
    const { doc, countries, names, country, name } = await countriesAndNames();
    const current = await within(doc.createSessionObject(CURRENT_SELECTIONS), 'current selections');
    await within(country.selectValues([{ qText: 'Sweden' }]), 'select Sweden');
    await within(doc.lockAll(), 'LockAll');
    assert.deepEqual(listStates(await layoutOf(countries)), {
      Germany: 'A',
      Norway: 'A',
      Sweden: 'L',
    });
    assert.equal(stateCounts(await layoutOf(countries)).qLocked, 1);
    const [item] = (await layoutOf(current)).qSelectionObject.qSelections;
    assert.equal(item.qLocked, true);

    // A locked field refuses selections; other fields still select within it.
    assert.equal(await within(country.selectValues([{ qText: 'Germany' }]), 'select'), false);
    assert.equal(await within(name.selectValues([{ qText: 'Cogs' }]), 'select Cogs'), true);

    // ClearAll keeps locked fields unless lockedAlso.
    await within(doc.clearAll(), 'ClearAll');
    assert.equal(listStates(await layoutOf(countries)).Sweden, 'L');
    assert.equal(listStates(await layoutOf(names)).Cogs, 'O', 'the Name selection is cleared');

    await within(doc.unlockAll(), 'UnlockAll');
    assert.equal(listStates(await layoutOf(countries)).Sweden, 'S');
    await within(doc.clearAll(), 'ClearAll');
    assert.deepEqual(listStates(await layoutOf(countries)), {
      Germany: 'O',
      Norway: 'O',
      Sweden: 'O',
    });
    assert.deepEqual((await layoutOf(current)).qSelectionObject.qSelections, []);

    // ClearAll(true) also clears a locked field.
    await within(country.selectValues([{ qText: 'Norway' }]), 'select Norway');
    await within(doc.lockAll(), 'LockAll');
    await within(doc.clearAll(true), 'ClearAll(lockedAlso)');
    assert.equal(listStates(await layoutOf(countries)).Norway, 'O');
  });
});
