import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markSkippedTestcases, skippedAssertionsByItem } from '../../contract-runner/junit-skipped.ts';

/** The shape newman 6.2.2's JUnit reporter writes (xmlbuilder, pretty printed). */
const newmanJunit = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="hello-api contract" tests="3" time="0.050">
  <testsuite name="Refused / expired" id="item-skip" timestamp="2026-01-01T00:00:00.000Z" tests="1" failures="0" errors="0" time="0.000">
    <testcase name="SKIPPED: attack_expired_id_token is empty &amp; &quot;why&quot; > here" time="0.000" classname="RefusedExpired"/>
  </testsuite>
  <testsuite name="Tutorial / 401" id="item-pass" timestamp="2026-01-01T00:00:00.000Z" tests="2" failures="1" errors="0" time="0.010">
    <testcase name="Status is 401" time="0.010" classname="Tutorial401"/>
    <testcase name="Body is exactly Unauthorized" time="0.010" classname="Tutorial401">
      <failure type="AssertionFailure" message="expected 'x' to equal 'y'">
        <![CDATA[Error message: <testcase name="Status is 401" time="0" classname="X"/> <testsuites tests="99">.]]>
      </failure>
    </testcase>
  </testsuite>
</testsuites>`;

describe('marking skipped testcases in newman JUnit XML', () => {
  it('turns a testcase skipped every time into <skipped/>, with suite and root counts recomputed', () => {
    const skipped = new Map([
      ['item-skip', new Set(['SKIPPED: attack_expired_id_token is empty & "why" > here'])],
    ]);

    const xml = markSkippedTestcases(newmanJunit, skipped);

    assert.match(
      xml,
      /<testcase name="SKIPPED: attack_expired_id_token[^"]*" time="0.000" classname="RefusedExpired"><skipped\/><\/testcase>/,
    );
    assert.match(xml, /<testsuite name="Refused \/ expired" id="item-skip"[^>]* tests="1"[^>]* skipped="1">/);
    assert.match(xml, /<testsuite name="Tutorial \/ 401" id="item-pass"[^>]* tests="2"[^>]* skipped="0">/);
    assert.match(
      xml,
      /<testsuites name="hello-api contract" tests="3" time="0.050" failures="1" errors="0" skipped="1">/,
    );
    assert.equal((xml.match(/<skipped\/>/g) ?? []).length, 1);
  });

  it('never marks a failed testcase, nor text inside CDATA, nor a same-named test of another item', () => {
    const skipped = new Map([
      ['item-pass', new Set(['Body is exactly Unauthorized'])],
      ['item-skip', new Set(['Status is 401'])],
    ]);

    const xml = markSkippedTestcases(newmanJunit, skipped);

    assert.equal((xml.match(/<skipped\/>/g) ?? []).length, 0);
    assert.match(
      xml,
      /<!\[CDATA\[Error message: <testcase name="Status is 401" time="0" classname="X"\/> <testsuites tests="99">\.\]\]>/,
    );
    assert.match(
      xml,
      /<testsuites name="hello-api contract" tests="3" time="0.050" failures="1" errors="0" skipped="0">/,
    );
  });

  it('leaves the XML byte for byte alone apart from counts when nothing was skipped', () => {
    const xml = markSkippedTestcases(newmanJunit, new Map());

    const withoutCounts = (text: string) => text.replace(/ (tests|failures|errors|skipped)="\d+"/g, '');
    assert.equal(withoutCounts(xml), withoutCounts(newmanJunit));
  });
});

describe('which assertions count as skipped', () => {
  it('keeps an assertion skipped in every iteration and drops one that ran even once', () => {
    const executions = [
      {
        item: { id: 'a' },
        assertions: [
          { assertion: 'SKIPPED: x', skipped: true },
          { assertion: 'flaky', skipped: true },
        ],
      },
      {
        item: { id: 'a' },
        assertions: [
          { assertion: 'SKIPPED: x', skipped: true },
          { assertion: 'flaky', skipped: false },
        ],
      },
      { item: { id: 'b' }, assertions: [{ assertion: 'Status is 200', skipped: false }] },
      'not an execution',
    ];

    const skipped = skippedAssertionsByItem(executions);

    assert.deepEqual([...(skipped.get('a') ?? [])], ['SKIPPED: x']);
    assert.equal(skipped.get('b'), undefined);
  });
});
