// Variables and expressions through enigma.js: session variables, Evaluate/EvaluateEx of
// aggregations (checked against sums computed here from app.mjs CUSTOMERS/ORDERS), and
// qStringExpression/qValueExpression in object properties.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { nextEvent } from './server.mjs';
import { CUSTOMERS, ORDERS, TEST, layoutOf, useServer, within } from './app.mjs';

const { open } = useServer();

/** Brute-force aggregates of the orders of customers in `countries` (all when omitted). */
function oracle(countries) {
  const keep = new Set(
    CUSTOMERS.filter(([, , country]) => !countries || countries.includes(country)).map(
      ([id]) => id,
    ),
  );
  const orders = ORDERS.filter(([, customer]) => keep.has(customer));
  return {
    sum: orders.reduce((total, [, , amount]) => total + amount, 0),
    customers: new Set(orders.map(([, customer]) => customer)).size,
    orders: orders.length,
  };
}

const SESSION_VARIABLE = (name, definition) => ({
  qInfo: { qType: 'variable' },
  qName: name,
  qDefinition: definition,
});

describe('Evaluate and EvaluateEx', () => {
  test('aggregations follow the selections', TEST, async () => {
    const { doc } = await open();
    const all = oracle();
    assert.equal(await within(doc.evaluate('Sum(Amount)'), 'Evaluate'), String(all.sum));
    assert.equal(
      await within(doc.evaluate('=Count(DISTINCT CustomerID)'), 'Evaluate with ='),
      String(all.customers),
    );
    assert.deepEqual(await within(doc.evaluateEx('Sum(Amount)'), 'EvaluateEx'), {
      qText: String(all.sum),
      qIsNumeric: true,
      qNumber: all.sum,
    });
    assert.deepEqual(await within(doc.evaluateEx('Count(OrderID)'), 'EvaluateEx'), {
      qText: String(all.orders),
      qIsNumeric: true,
      qNumber: all.orders,
    });

    const country = await within(doc.getField('Country'), 'getField');
    await within(country.selectValues([{ qText: 'Sweden' }, { qText: 'Norway' }]), 'select');
    const some = oracle(['Sweden', 'Norway']);
    assert.equal(await within(doc.evaluate('Sum(Amount)'), 'Evaluate'), String(some.sum));
    const distinct = await within(doc.evaluateEx('Count(DISTINCT CustomerID)'), 'EvaluateEx');
    assert.equal(distinct.qNumber, some.customers);
    assert.equal(
      await within(doc.evaluate("Concat(DISTINCT Country, ',')"), 'Concat'),
      'Norway,Sweden',
    );
    // A set expression ignores the selection.
    assert.equal(await within(doc.evaluate('Sum({1} Amount)'), 'Evaluate {1}'), String(all.sum));
  });

  test('an expression that does not parse is rejected with an engine error', TEST, async () => {
    const { doc } = await open();
    await assert.rejects(within(doc.evaluate('Sum(('), 'Evaluate Sum(('), (error) => {
      assert.notEqual(error.enigmaError, true, 'an engine error');
      assert.equal(typeof error.code, 'number');
      assert.ok(error.message, 'with a message');
      return true;
    });
    // The socket keeps working.
    assert.equal(await within(doc.evaluate('1+1'), 'Evaluate 1+1'), '2');
  });
});

describe('variables', () => {
  test('CreateSessionVariable, GetVariableByName, SetStringValue', TEST, async () => {
    const { doc } = await open();
    const created = await within(
      doc.createSessionVariable(SESSION_VARIABLE('vCountry', 'Sweden')),
      'CreateSessionVariable',
    );
    assert.equal(created.type, 'GenericVariable');
    const variable = await within(doc.getVariableByName('vCountry'), 'GetVariableByName');
    assert.equal(variable.id, created.id);
    const layout = await layoutOf(variable);
    assert.equal(layout.qText, 'Sweden');
    assert.equal(layout.qNum, undefined, 'a text value has no qNum');

    const expr = "Sum({<Country={'$(vCountry)'}>} Amount)";
    assert.equal(await within(doc.evaluate(expr), 'Evaluate'), String(oracle(['Sweden']).sum));
    assert.equal(
      await within(doc.expandExpression("'$(vCountry)'"), 'ExpandExpression'),
      "'Sweden'",
    );

    const changed = nextEvent(variable, 'changed');
    await within(variable.setStringValue('Norway'), 'SetStringValue');
    await changed;
    assert.equal((await layoutOf(variable)).qText, 'Norway');
    assert.equal((await within(variable.getProperties(), 'props')).qDefinition, 'Norway');
    assert.equal(await within(doc.evaluate(expr), 'Evaluate'), String(oracle(['Norway']).sum));

    // A taken name is refused (error 3).
    await assert.rejects(
      within(doc.createSessionVariable(SESSION_VARIABLE('vCountry', 'x')), 'duplicate'),
      (error) => error.code === 3,
    );
    await assert.rejects(within(doc.getVariableByName('vNope'), 'missing variable'));
  });

  test('a variable defined as =expression follows the selections', TEST, async () => {
    const { doc } = await open();
    await within(
      doc.createSessionVariable(SESSION_VARIABLE('vTotal', '=Sum(Amount)')),
      'CreateSessionVariable',
    );
    const variable = await within(doc.getVariableByName('vTotal'), 'GetVariableByName');
    assert.equal((await layoutOf(variable)).qNum, oracle().sum);
    assert.equal(await within(doc.evaluate('$(vTotal) * 2'), 'Evaluate'), String(2 * oracle().sum));

    const changed = nextEvent(variable, 'changed');
    const country = await within(doc.getField('Country'), 'getField');
    await within(country.selectValues([{ qText: 'Germany' }]), 'select Germany');
    await changed;
    assert.equal((await layoutOf(variable)).qNum, oracle(['Germany']).sum);
  });
});

describe('expressions in object properties', () => {
  test('qStringExpression and qValueExpression are evaluated in the layout', TEST, async () => {
    const { doc } = await open();
    await within(
      doc.createSessionVariable(SESSION_VARIABLE('vLabel', 'Sales')),
      'CreateSessionVariable',
    );
    const props = {
      qInfo: { qType: 'kpi' },
      title: { qStringExpression: { qExpr: "='Total: ' & Sum(Amount)" } },
      subtitle: { qStringExpression: "='By ' & '$(vLabel)'" },
      value: { qValueExpression: { qExpr: 'Count(DISTINCT CustomerID)' } },
      plain: 'kept as is',
    };
    const kpi = await within(doc.createSessionObject(props), 'CreateSessionObject');
    let layout = await layoutOf(kpi);
    assert.equal(layout.title, `Total: ${oracle().sum}`);
    assert.equal(layout.value, oracle().customers);
    assert.equal(layout.subtitle, 'By Sales');
    assert.equal(layout.plain, 'kept as is');
    const saved = await within(kpi.getProperties(), 'GetProperties');
    assert.deepEqual(saved.title, props.title, 'properties keep the wrapper');

    // A selection changes the object (it has expressions in state $).
    const changed = nextEvent(kpi, 'changed');
    const country = await within(doc.getField('Country'), 'getField');
    await within(country.selectValues([{ qText: 'Sweden' }]), 'select Sweden');
    await changed;
    layout = await layoutOf(kpi);
    assert.equal(layout.title, `Total: ${oracle(['Sweden']).sum}`);
    assert.equal(layout.value, oracle(['Sweden']).customers);

    // Changing a variable the object mentions changes the object.
    const variable = await within(doc.getVariableByName('vLabel'), 'GetVariableByName');
    const relabelled = nextEvent(kpi, 'changed');
    await within(variable.setStringValue('Revenue'), 'SetStringValue');
    await relabelled;
    layout = await layoutOf(kpi);
    assert.equal(layout.subtitle, 'By Revenue');
    assert.equal(layout.title, `Total: ${oracle(['Sweden']).sum}`);
  });
});
