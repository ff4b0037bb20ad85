// Reload progress and cancel as enigma.js drives them. enigma.js sends every request at once
// without waiting for earlier replies, so `global.getProgress(0)` goes out while
// `doc.doReload()` is still running; openqix answers progress calls beside the running reload.
//
// The slow scripts wait in a `SLEEP` loop (a real script statement, deterministic and cheap on
// CPU); one test reloads ~2,000,000 AUTOGENERATE rows to show progress is answered while the
// reload is busy computing too.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { withTimeout } from './server.mjs';
import { SCRIPT, TEST, useServer, within } from './app.mjs';

const { open } = useServer();

/** SCRIPT plus a table `Extra` and `rounds` x 50 ms of SLEEP between two TRACE lines. */
const sleepy = (rounds) => `${SCRIPT}
Extra:
LOAD RecNo() as ExtraKey AUTOGENERATE 100;
TRACE slow part begins;
FOR i = 1 TO ${rounds}
  SLEEP 50;
NEXT i
TRACE slow part ends;
`;

const BUSY = `Busy:
LOAD RecNo() as K, Mod(RecNo(), 97) as G, RecNo() * 2 as V AUTOGENERATE 2000000;
`;

/**
 * Record the replies of `session` in arrival order: `order()` is the list of request methods
 * whose reply came in, in that order (`methodOf` maps ids of sent requests to methods).
 */
function recordReplies(session) {
  const methodOf = new Map();
  const arrived = [];
  const sent = (data) => {
    if (data.id !== undefined) methodOf.set(data.id, data.method);
  };
  const received = (data) => {
    if (data.id !== undefined) arrived.push({ method: methodOf.get(data.id), data });
  };
  session.on('traffic:sent', sent);
  session.on('traffic:received', received);
  return {
    arrived,
    order: () => arrived.map(({ method }) => method),
    stop: () => {
      session.removeListener('traffic:sent', sent);
      session.removeListener('traffic:received', received);
    },
  };
}

/** Track a promise's outcome without awaiting it: `state()` is 'pending' until it settles. */
function watch(promise) {
  let state = 'pending';
  promise.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  return () => state;
}

/**
 * Poll GetProgress until it reports a running reload (qStarted and not qFinished) while
 * `reloadState()` is still pending; returns every progress seen. Polls are bounded by the
 * reload itself (it ends) and by a time limit.
 */
async function pollWhileRunning(global, reloadState, what) {
  const seen = [];
  const poll = (async () => {
    while (reloadState() === 'pending') {
      const progress = await within(global.getProgress(0), 'GetProgress');
      seen.push(progress);
      if (progress.qStarted && !progress.qFinished) return seen;
    }
    return seen;
  })();
  return withTimeout(poll, what);
}

const tablesOf = (result) => result.qtr.map((table) => table.qName).sort();

/** {qtr, qk} of GetTablesAndKeys (the model's tables and keys). */
const tablesAndKeys = (doc) =>
  within(
    doc.getTablesAndKeys({ qcx: 1000, qcy: 1000 }, { qcx: 0, qcy: 0 }, 30, false, false),
    'GetTablesAndKeys',
  );

describe('reload progress', () => {
  test('GetProgress is answered while DoReload runs, then reports qFinished', TEST, async () => {
    const { session, global, doc } = await open();
    await within(doc.setScript(sleepy(20)), 'setScript');
    const replies = recordReplies(session);

    const reload = doc.doReload(); // not awaited: the progress calls go out behind it
    const reloadState = watch(reload);
    const seen = await pollWhileRunning(global, reloadState, 'a running reload in GetProgress');
    const running = seen.at(-1);
    assert.equal(running.qStarted, true, `progress while running: ${JSON.stringify(seen)}`);
    assert.equal(running.qFinished, false);
    assert.equal(reloadState(), 'pending', 'the reload was still running');

    // The persistent lines arrive as the script goes (each line once); wait for the TRACE
    // before the SLEEP loop while the reload is still running.
    let log = seen.map((progress) => progress.qPersistentProgress).join('\n');
    while (!log.includes('slow part begins') && reloadState() === 'pending') {
      log += `\n${(await within(global.getProgress(0), 'GetProgress')).qPersistentProgress}`;
    }
    assert.match(log, /slow part begins/);

    assert.equal(await within(reload, 'doReload'), true);
    const order = replies.order();
    replies.stop();
    const firstProgress = order.indexOf('GetProgress');
    const reloadReply = order.indexOf('DoReload');
    assert.ok(firstProgress >= 0 && reloadReply >= 0, `replies: ${order.join(', ')}`);
    assert.ok(
      firstProgress < reloadReply,
      `a GetProgress reply arrives before the DoReload reply: ${order.join(', ')}`,
    );
    const beforeReload = replies.arrived
      .slice(0, reloadReply)
      .filter(({ method }) => method === 'GetProgress')
      .map(({ data }) => data.result.qProgressData);
    assert.ok(
      beforeReload.some((progress) => progress.qStarted && !progress.qFinished),
      'a progress reply before the reload reply shows the reload running',
    );

    const done = await within(global.getProgress(0), 'GetProgress after the reload');
    assert.equal(done.qStarted, true);
    assert.equal(done.qFinished, true);
    assert.deepEqual(done.qErrorData, []);
    const rest = done.qPersistentProgress;
    assert.ok(!rest.includes('slow part begins'), 'a persistent line is reported only once');
    assert.ok(`${log}\n${rest}`.includes('slow part ends'), 'the last TRACE line is reported');
    assert.deepEqual(tablesOf(await tablesAndKeys(doc)), ['Customers', 'Extra', 'Orders']);
  });

  test('progress is answered while a 2,000,000-row AUTOGENERATE computes', TEST, async () => {
    const { session, global, doc } = await open(BUSY);
    const replies = recordReplies(session);
    const reload = doc.doReload();
    const reloadState = watch(reload);
    const seen = await pollWhileRunning(global, reloadState, 'GetProgress during AUTOGENERATE');
    assert.equal(await within(reload, 'doReload'), true);
    const order = replies.order();
    replies.stop();
    // The first poll may still see the previous (finished) reload: the DoReload frame waits
    // for the socket's worker while GetProgress is answered at once. Polls take milliseconds,
    // the reload more than a second, so a running progress comes before the reload ends.
    assert.ok(
      order.indexOf('GetProgress') < order.indexOf('DoReload'),
      `a GetProgress reply arrives before the DoReload reply: ${order.join(', ')}`,
    );
    assert.ok(
      seen.some((progress) => progress.qStarted && !progress.qFinished),
      `a running reload in GetProgress: ${JSON.stringify(seen)}`,
    );
    const done = await within(global.getProgress(0), 'GetProgress after the reload');
    assert.equal(done.qFinished, true);
    assert.equal(await within(doc.evaluate('Count(K)'), 'Count(K)'), '2000000');
  });
});

test(
  'GetProgress sent right behind DoReload does not report the previous reload as finished',
  TEST,
  async () => {
    const { global, doc } = await open(); // open() has reloaded once already
    await within(doc.setScript(sleepy(4)), 'setScript');
    const reload = doc.doReload();
    const first = await within(global.getProgress(0), 'GetProgress');
    await within(reload, 'doReload');
    assert.equal(first.qFinished, false, `first progress: ${JSON.stringify(first)}`);
  },
);

describe('CancelReload', () => {
  test('cancelling a running reload resolves doReload false and keeps the data', TEST, async () => {
    const { global, doc } = await open();
    const before = await tablesAndKeys(doc);
    assert.deepEqual(tablesOf(before), ['Customers', 'Orders']);
    const total = await within(doc.evaluate('Sum(Amount)'), 'Evaluate');

    // 200 x 50 ms: a reload that is not cancelled runs ~10 s and resolves true (test fails).
    await within(doc.setScript(sleepy(200)), 'setScript');
    const reload = doc.doReload();
    const reloadState = watch(reload);
    const seen = await pollWhileRunning(global, reloadState, 'the reload to start');
    assert.equal(seen.at(-1).qFinished, false, 'the reload is running');
    await within(global.cancelReload('stopped by the test'), 'CancelReload');
    assert.equal(await within(reload, 'doReload after CancelReload'), false);

    assert.deepEqual(await tablesAndKeys(doc), before, 'GetTablesAndKeys is unchanged');
    assert.equal(await within(doc.evaluate('Sum(Amount)'), 'Evaluate'), total);
    const done = await within(global.getProgress(0), 'GetProgress after the cancel');
    assert.equal(done.qFinished, true);

    // The app reloads normally afterwards.
    await within(doc.setScript(sleepy(1)), 'setScript');
    assert.equal(await within(doc.doReload(), 'doReload'), true);
    assert.deepEqual(tablesOf(await tablesAndKeys(doc)), ['Customers', 'Extra', 'Orders']);
  });

  test('CancelReload with no reload running is a no-op', TEST, async () => {
    const { global, doc } = await open();
    await within(global.cancelReload(''), 'CancelReload');
    assert.equal(await within(doc.doReload(), 'doReload'), true);
  });
});
