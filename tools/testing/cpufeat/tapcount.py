#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the results in a (K)TAP stream: passed, failed, skipped.

    tapcount.py [--suite GLOB | --parts [--expect NAME,...]] [--label NAME] [FILE]

Reads FILE (or stdin): TAP 13 as kselftests print it, or KTAP as KUnit
prints it into the kernel log (dmesg "[    1.234567] " and "<6>" prefixes
are stripped, carriage returns too).  Subtests nest by indentation.

What counts is the leaves: the results with no subtests below them.  A
parameterized KUnit case therefore counts once per parameter.  "# SKIP"
results count as skipped (never passed), "# TODO" too, "# XFAIL" as passed.
Results that are missing count as failures: fewer results than a "1..N"
plan promised, a subtest that never printed its own result line, no results
at all, "Bail out!".

--suite GLOB looks only at the top-level tests whose name matches GLOB (the
KUnit suites, e.g. "cpufeat*"); at least one must be there.

--parts reads FILE as one document of parts, as the guest runner
(cpufeat-run) prints once per boot and check.sh for the host: each
top-level test is a part whose subtests are its results.  A part counts
its leaves, as above; a part with no results, or one whose result is
"not ok" though its results pass (it exited non-zero, or the kernel logged
an alarm), or one that never printed its result (the guest died in it)
counts one failure more.  With --expect (the parts that were asked for),
a part that is not there counts one failure; without, fewer parts than
the plan counts one failure per missing part.  Prints a line per part before
the totals: "part NAME passed=N failed=N skipped=N time=S" (S: the part's
"# time: S s" line, or "-").

Prints one "# LABEL: ..." line per failure or oddity, then
"counts: passed=N failed=N skipped=N".  Exit status 0 unless misused.
"""

import argparse
import fnmatch
import re
import sys

PREFIX = re.compile(r'^(<\d+>)?(\[[^\]]*\])*( |$)?')
VERSION = re.compile(r'^K?TAP version \d+\s*$')
PLAN = re.compile(r'^1\.\.(\d+)(\s*#\s*(.*))?\s*$')
SUBTEST = re.compile(r'^#\s*Subtest:\s*(.*?)\s*$')
RESULT = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*(?:-\s+)?(.*?)\s*$')
DIRECTIVE = re.compile(r'(?:^|\s)#\s*(SKIP|TODO|XFAIL)\b\s*(.*)$', re.I)
TIME = re.compile(r'^#\s*time:\s*(\d+)\s*s$')


class Group:
    """The results at one level of indentation, and their plan."""

    def __init__(self, indent, name=''):
        self.indent = indent
        self.name = name
        self.plan = None
        self.skip_all = False
        self.bailed = False
        self.results = []
        self.orphans = []       # subtests that never printed their result
        self.time = None        # "# time: N s" (a part's wall time)

    def empty(self):
        return not self.results and not self.orphans and self.plan is None


class Result:
    def __init__(self, ok, name, directive, reason):
        self.ok = ok
        self.name = name
        self.directive = directive
        self.reason = reason
        self.children = None
        self.why = None         # "# NAME: WHY" just before a part's result


def parse(lines):
    """The streams (top-level Groups) in @lines: one per "TAP version"."""
    streams = [Group(0)]
    stack = [streams[0]]

    def pop_deeper(indent):
        """Pop the groups deeper than @indent; return the shallowest."""
        popped = None
        while len(stack) > 1 and stack[-1].indent > indent:
            group = stack.pop()
            if popped is not None:
                group.orphans.append(popped)
            popped = group
        return popped

    def close_deeper(indent):
        """Groups deeper than @indent ended without their result line."""
        orphan = pop_deeper(indent)
        if orphan is not None:
            stack[-1].orphans.append(orphan)

    why = {}

    def group_at(indent):
        """The open group at @indent, opened if need be."""
        close_deeper(indent)
        if stack[-1].indent != indent:
            stack.append(Group(indent))
        return stack[-1]

    for raw in lines:
        line = PREFIX.sub('', raw.rstrip('\r\n').replace('\r', ''), count=1)
        body = line.lstrip(' ')
        indent = len(line) - len(body)
        body = body.rstrip()
        if not body:
            continue

        if VERSION.match(body):
            if indent == 0:
                close_deeper(-1)
                if not stack[0].empty():
                    streams.append(Group(0))
                    stack[:] = [streams[-1]]
                continue
            group = group_at(indent)
            if not group.empty():
                # A new subtest at this level: the last one never finished.
                stack.pop()
                stack[-1].orphans.append(group)
                stack.append(Group(indent))
            continue

        m = PLAN.match(body)
        if m:
            group = group_at(indent)
            group.plan = int(m.group(1))
            if m.group(3) and m.group(3).upper().startswith('SKIP'):
                group.skip_all = True
            continue

        m = SUBTEST.match(body)
        if m:
            group_at(indent).name = m.group(1)
            continue

        m = TIME.match(body)
        if m and indent > 0:
            group_at(indent).time = int(m.group(1))
            continue

        if body.startswith('Bail out!'):
            group_at(indent).bailed = True
            continue

        if body.startswith('#'):
            why[indent] = body.lstrip('#').strip()
            continue

        m = RESULT.match(body)
        if m:
            children = pop_deeper(indent)
            text = m.group(3)
            directive, reason = None, ''
            d = DIRECTIVE.search(text)
            if d:
                directive = d.group(1).upper()
                reason = d.group(2)
                text = text[:d.start()].strip()
            result = Result(m.group(1) == 'ok', text or reason, directive,
                            reason)
            if why.get(indent, '').startswith(result.name + ': '):
                result.why = why[indent][len(result.name) + 2:]
            why.pop(indent, None)
            if children is not None and not children.empty():
                result.children = children
            group_at(indent).results.append(result)
            continue

    close_deeper(-1)
    return streams


class Counts:
    def __init__(self, label):
        self.label = label
        self.passed = self.failed = self.skipped = 0
        self.notes = []

    def fail(self, n, why):
        self.failed += n
        self.notes.append(why)


def count_group(group, path, c):
    name = path + ': ' if path else ''
    if group.bailed:
        c.fail(1, '%sbailed out' % name)
    for r in group.results:
        where = '%s/%s' % (path, r.name) if path else r.name
        if r.children is not None:
            count_parent(r, where, c)
        elif r.directive in ('SKIP', 'TODO'):
            c.skipped += 1
        elif r.ok or r.directive == 'XFAIL':
            c.passed += 1
        else:
            c.fail(1, '%s: not ok' % where)
    for o in group.orphans:
        count_orphan(o, path, c, covered=group.plan is not None)
    if group.plan is not None and not group.skip_all:
        have = len(group.results)
        if have < group.plan:
            c.fail(group.plan - have, '%s%d of %d results missing' %
                   (name, group.plan - have, group.plan))
        elif have > group.plan:
            c.fail(1, '%s%d results, but the plan was %d' %
                   (name, have, group.plan))
    elif group.skip_all and not group.results:
        c.skipped += 1


def count_parent(r, where, c):
    """A result with subtests: they count, not the result itself."""
    failed = c.failed
    count_group(r.children, where, c)
    if not r.ok and c.failed == failed and r.directive != 'SKIP':
        c.fail(1, '%s: not ok, though its subtests are' % where)


def count_orphan(group, path, c, covered):
    """
    A subtest that did not print its own result line.  It is a failure of
    its own unless its parent's plan already counts it missing (@covered).
    """
    where = '%s/%s' % (path, group.name) if path else group.name or '?'
    failed = c.failed
    count_group(group, where, c)
    if c.failed == failed and not covered:
        c.fail(1, '%s: no result line (did it crash?)' % where)
    else:
        c.notes.append('%s: ended without its result line' % where)


def count(streams, label, suite=None):
    c = Counts(label)
    if suite is None:
        if all(s.empty() for s in streams):
            c.fail(1, 'no TAP output')
        for s in streams:
            count_group(s, '', c)
        return c

    found = False
    for s in streams:
        for r in s.results:
            if not fnmatch.fnmatch(r.name, suite):
                continue
            found = True
            if r.children is not None:
                count_parent(r, r.name, c)
            else:
                # A suite without cases: its own result is the leaf.
                alone = Group(0)
                alone.results.append(r)
                count_group(alone, '', c)
        for o in s.orphans:
            if fnmatch.fnmatch(o.name, suite):
                found = True
                count_orphan(o, '', c, covered=False)
    if not found:
        c.fail(1, 'no suite matching "%s"' % suite)
    return c


class Part(Counts):
    def __init__(self, label, name):
        super().__init__(label)
        self.name = name
        self.time = None


def count_part(r, part):
    """A part that printed its result: its subtests count."""
    if r.children is None:
        part.fail(1, 'no results')
        return
    count_group(r.children, '', part)
    if not r.ok and not part.failed and r.directive != 'SKIP':
        part.fail(1, 'not ok, though its results pass: %s' %
                  (r.why or 'see its "#" lines'))
    part.time = r.children.time


def count_parts(streams, label, expected=None):
    """The parts of one document, as a list of Parts, and the totals."""
    total = Counts(label)
    docs = [s for s in streams if not s.empty()]
    if not docs:
        docs = [Group(0)]
        if not expected:
            total.fail(1, 'no KTAP document')
    if len(docs) > 1:
        total.fail(1, '%d documents, not one' % len(docs))
    parts = []
    for doc in docs:
        if doc.bailed:
            total.fail(1, 'bailed out')
        for r in doc.results:
            part = Part(label, r.name)
            count_part(r, part)
            parts.append(part)
        for o in doc.orphans:
            part = Part(label, o.name or '?')
            count_group(o, '', part)
            part.time = o.time
            if part.failed:
                part.notes.append('did not finish (no result line)')
            else:
                part.fail(1, 'did not finish (no result line)')
            parts.append(part)
    names = [p.name for p in parts]
    if expected:
        for name in expected:
            if name not in names:
                part = Part(label, name)
                part.fail(1, 'did not run')
                parts.append(part)
        for name in names:
            if name not in expected:
                total.notes.append('%s: a part that was not asked for' % name)
    else:
        plan = docs[0].plan
        if plan is not None and len(parts) < plan:
            total.fail(plan - len(parts), '%d of %d parts missing' %
                       (plan - len(parts), plan))
    for part in parts:
        total.passed += part.passed
        total.failed += part.failed
        total.skipped += part.skipped
    return parts, total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--suite', help='count only top-level tests matching')
    ap.add_argument('--parts', action='store_true',
                    help='a document of parts: count each')
    ap.add_argument('--expect', default='',
                    help='with --parts: the parts asked for, NAME,...')
    ap.add_argument('--label', default='tap', help='name in messages')
    ap.add_argument('file', nargs='?', help='input (default: stdin)')
    args = ap.parse_args(argv)

    if args.file:
        with open(args.file, encoding='utf-8', errors='replace') as f:
            streams = parse(f)
    else:
        streams = parse(sys.stdin)
    if not args.parts:
        c = count(streams, args.label, args.suite)
    else:
        expected = [n for n in args.expect.split(',') if n]
        parts, c = count_parts(streams, args.label, expected)
        for part in parts:
            print('part %s passed=%d failed=%d skipped=%d time=%s' %
                  (part.name, part.passed, part.failed, part.skipped,
                   '-' if part.time is None else part.time))
            for note in part.notes:
                print('# %s %s: %s' % (c.label, part.name, note))
    for note in c.notes:
        print('# %s: %s' % (c.label, note))
    print('counts: passed=%d failed=%d skipped=%d' %
          (c.passed, c.failed, c.skipped))
    return 0


if __name__ == '__main__':
    sys.exit(main())
