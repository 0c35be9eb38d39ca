#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side test of tapcount.py: count canned documents (tapcount/*.tap,
cut from real guest logs or made up to break things) and compare with what
they hold.  Prints KTAP; exits 1 if a case fails.  One process for all
cases: tapcount.py is imported, not started again for each."""

import contextlib
import importlib.util
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    'tapcount', os.path.join(HERE, '..', 'tapcount.py'))
tapcount = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tapcount)

# input, tapcount.py options, expected counts, a line part that must appear
CASES = [
    ('kunit-boot-log.tap', '--suite cpufeat*', 'passed=49 failed=0 skipped=0', ''),
    ('kunit-timestamps.tap', '--suite cpufeat*', 'passed=49 failed=0 skipped=0', ''),
    ('kunit-two-suites.tap', '--suite cpufeat*', 'passed=5 failed=0 skipped=0', ''),
    ('kunit-two-suites.tap', '', 'passed=6 failed=1 skipped=0',
     'example_failing_test: not ok'),
    ('kunit-failures.tap', '--suite cpufeat*', 'passed=4 failed=3 skipped=2',
     'not ok, though its subtests are'),
    ('kunit-crash.tap', '--suite cpufeat*', 'passed=4 failed=9 skipped=0',
     '9 of 10 results missing'),
    ('kunit-absent.tap', '--suite cpufeat*', 'passed=0 failed=1 skipped=0',
     'no suite matching'),
    ('kunit-init-failed.tap', '--suite cpufeat*', 'passed=0 failed=1 skipped=0',
     'cpufeat: not ok'),
    ('kunit-multiline-descriptions.tap', '--suite cpufeat*',
     'passed=3 failed=0 skipped=0', ''),
    ('kselftest-pass-skip.tap', '', 'passed=15 failed=0 skipped=1', ''),
    ('kselftest-xfail.tap', '', 'passed=2 failed=0 skipped=1', ''),
    ('kselftest-truncated.tap', '', 'passed=6 failed=10 skipped=0',
     '10 of 16 results missing'),
    ('kselftest-controller-missing.tap', '', 'passed=0 failed=15 skipped=1',
     '15 of 16 results missing'),
    ('kselftest-bail-out.tap', '', 'passed=1 failed=16 skipped=0', 'bailed out'),
    ('kselftest-empty.tap', '', 'passed=0 failed=1 skipped=0', 'no TAP output'),
    ('kselftest-skip-all.tap', '', 'passed=0 failed=0 skipped=1', ''),
    ('kselftest-too-many.tap', '', 'passed=2 failed=2 skipped=0',
     '3 results, but the plan was 2'),
    # Documents of parts, as the guest runner prints them.
    ('parts-alarm.tap', '--parts --expect kunit,kselftest',
     'passed=4 failed=1 skipped=1',
     'part kselftest passed=2 failed=1 skipped=1 time=10'),
    ('parts-alarm.tap', '--parts', 'passed=4 failed=1 skipped=1',
     'though its results pass: 1 alarm line(s) in the kernel log'),
    ('parts-died.tap', '--parts --expect kunit,kselftest,tool',
     'passed=3 failed=15 skipped=0',
     'part tool passed=0 failed=1 skipped=0 time=-'),
    ('parts-died.tap', '--parts', 'passed=3 failed=15 skipped=0',
     '1 of 3 parts missing'),
    ('parts-no-results.tap', '--parts --expect tool,cpuid-fault',
     'passed=2 failed=1 skipped=0', 'cpuid-fault: no results'),
    ('kselftest-empty.tap', '--parts --expect kunit,kselftest',
     'passed=0 failed=2 skipped=0', 'kselftest: did not run'),
    ('kselftest-empty.tap', '--parts', 'passed=0 failed=1 skipped=0',
     'no KTAP document'),
]


def main():
    print('KTAP version 1')
    print('1..%d' % len(CASES))
    failed = 0
    for n, (name, opts, want, line) in enumerate(CASES, 1):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            tapcount.main(opts.split() + [os.path.join(HERE, 'tapcount', name)])
        out = out.getvalue()
        got = [l[len('counts: '):] for l in out.splitlines()
               if l.startswith('counts: ')]
        desc = name + (' (%s)' % opts if opts else '')
        if got == [want] and line in out:
            print('ok %d %s' % (n, desc))
            continue
        failed += 1
        print('not ok %d %s' % (n, desc))
        print('# expected: counts: %s%s' %
              (want, ', a line with "%s"' % line if line else ''))
        for l in out.splitlines():
            print('# got: %s' % l)
    print('# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0' %
          (len(CASES) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
