"""Where an Alembic target lies from the database's revision(s), for dbmigrate-runner.

Usage (in the migrations directory):
  python3 -c "$(cat revision_graph.py)" classify TARGET [CURRENT...]
  python3 -c "$(cat revision_graph.py)" restore WANTED [CURRENT...]
  python3 -c "$(cat revision_graph.py)" includes REVS [CURRENT...]
  python3 -c "$(cat revision_graph.py)" resolve TARGET
  python3 -c "$(cat revision_graph.py)" between BEFORE FAILED [AFTER...]
CURRENT are the rows of alembic_version (none at base); WANTED is a comma-separated list of rows to
return to exactly, or "base". Prints one line "dbmigrate-revision-graph: {json}" on stdout:
  {"direction": "up"|"down"|"none", "revisions": [...], "argument": "...",
   "expect": [...], "extraRows": [...]}
      revisions: those `alembic upgrade|downgrade ARGUMENT` applies or undoes, in order;
      for "down": expect, the rows alembic_version must hold afterwards; extraRows, ancestors of
      them that Alembic < 1.13.1 writes too (sqlalchemy/alembic#1373)
for "includes" (REVS: what `alembic stamp` is given, comma-separated):
  {"included": true|false, "expect": [...], "unknownRows": [...]}
      included: every revision of REVS is in the history of the CURRENT rows (one of them or an
      ancestor); expect: the rows `alembic stamp --purge REVS` leaves, replayed with Alembic's own
      HeadMaintainer; unknownRows: CURRENT rows the scripts do not have (they include nothing)
for "resolve": {"heads": [...]} when every revision, symbol and branch label TARGET names exists
      (its +N/-N part depends on the database and is left to classify)
  {"error": "..."}                                          Alembic's own message, or why no single
      `alembic downgrade` argument lands exactly where wanted (exit status 2)
  {"error": "...", "unknownTarget": true, "heads": [...]}  TARGET (resolve, classify) names nothing
      the scripts have, or is ambiguous (`head` with several heads)
for "between" (BEFORE: the rows before a run, comma-separated or "base"; AFTER: the rows after it;
FAILED: the revision that failed, or "-"):
  {"applied": [...], "undone": [...], "nonTransactional": true|false}
      applied: the revisions in the history of AFTER but not of BEFORE, ancestors first; undone:
      the other way round, descendants first; nonTransactional: FAILED's script uses
      autocommit_block, whose statements are committed outside the migration's transaction
For "up", expect is the rows alembic_version must hold afterwards too.
Reads the scripts only; never connects to the database. `alembic upgrade` to an ancestor of the
current revision exits 0 and does nothing, so this is how an explicit downgrade is recognised.

On a branched graph `alembic downgrade REV` can be refused ("not a valid downgrade target") where
`BRANCH@-N` or `HEAD@-N` does the same thing, so for a downgrade the argument is chosen among those:
the first whose steps undo exactly the revisions to undo and whose bookkeeping, replayed with
Alembic's own HeadMaintainer, leaves the wanted rows.
"""
import json
import sys

MARKER = "dbmigrate-revision-graph: "


def emit(**fields):
    sys.stdout.write(MARKER + json.dumps(fields) + "\n")
    sys.stdout.flush()


def ids(steps):
    return [step.revision.revision for step in steps]


class Refused(Exception):
    pass


class UnknownTarget(Exception):
    pass


class Graph:
    def __init__(self, script):
        from alembic.runtime.migration import HeadMaintainer
        from alembic.util import CommandError

        self.script = script
        self.map = script.revision_map
        self.CommandError = CommandError

        class Bookkeeping(HeadMaintainer):
            """HeadMaintainer with the rows in a set instead of alembic_version."""

            def __init__(self, heads):
                self.heads = set(heads)

            def _insert_version(self, version):
                assert version not in self.heads
                self.heads.add(version)

            def _delete_version(self, version):
                self.heads.remove(version)

            def _update_version(self, from_, to_):
                assert to_ not in self.heads
                self.heads.remove(from_)
                self.heads.add(to_)

        self.Bookkeeping = Bookkeeping

    def closure(self, revs):
        """The revisions and all they need (down revisions and dependencies)."""
        if not revs:
            return set()
        nodes = self.map._get_ancestor_nodes(self.map.get_revisions(tuple(revs)), include_dependencies=True)
        return {r.revision for r in nodes}

    def descendants(self, revs):
        nodes = self.map._get_descendant_nodes(revs, include_dependencies=True)
        return {r.revision for r in nodes}

    def labels_of(self, revs):
        """The branch labels that apply to these revisions (their own and those of their ancestors)."""
        labels = set()
        for rev in revs:
            labels |= set(rev.branch_labels)
        return labels

    def heads_of(self, revs):
        """The rows alembic_version holds for these revisions: none that another one needs."""
        implied = set()
        for rev in revs:
            implied |= self.closure([rev]) - {rev}
        return set(revs) - implied

    def rows_after(self, steps, current):
        book = self.Bookkeeping(current)
        for step in steps:
            book.update_to_step(step)
        return book.heads

    def candidates(self, first, current, undo):
        seen = []
        labels = set()
        for rev in self.map.get_revisions(tuple(current)):
            labels |= set(rev.branch_labels)
        for arg in (list(first) + ["%s@-%d" % (h, n) for h in sorted(current) for n in range(1, len(undo) + 1)]
                    + ["%s@-%d" % (b, n) for b in sorted(labels) for n in range(1, len(undo) + 1)]):
            if arg not in seen:
                seen.append(arg)
        return seen

    def downgrade(self, current, undo, landing, first):
        """The first downgrade argument undoing exactly `undo` and leaving `landing`, preferring one
        that writes no extra (ancestor) rows."""
        fallback = None
        for arg in self.candidates(first, current, undo):
            try:
                steps = self.script._downgrade_revs(arg, tuple(current))
            except Exception:  # not a valid target here, relative step out of range, ambiguous label
                continue
            if set(ids(steps)) != undo:
                continue
            rows = self.rows_after(steps, current)
            if self.heads_of(rows) != landing:
                continue
            answer = dict(direction="down", revisions=ids(steps), argument=arg, expect=sorted(landing),
                          extraRows=sorted(rows - landing))
            if rows == landing:
                return answer
            fallback = fallback or answer
        if fallback:
            return fallback
        raise Refused("no single `alembic downgrade` argument takes %s to %s (undoing %s): Alembic refuses the"
                      " revision itself and no BRANCH@-N or REV@-N form undoes exactly those revisions"
                      % (describe(current), describe(landing), ", ".join(sorted(undo))))

    def heads(self):
        return sorted(self.map.heads)

    def resolve(self, target):
        """Raises UnknownTarget unless every revision, symbol and branch label of `target` exists, as
        Alembic resolves them (prefixes included); a relative step (+2, ae10-1) is only checked for
        what it starts from."""
        from alembic.script.revision import _relative_destination
        match = _relative_destination.match(target)
        if match:
            label, named, _ = match.groups()
            names = [(label + "@" if label else "") + named] if named else ([label + "@heads"] if label else [])
        else:
            names = [target]
        try:
            for name in names:
                self.script.get_revisions(name)
        except self.CommandError as e:
            raise UnknownTarget(str(e))

    def classify(self, target, current):
        steps = self.script._upgrade_revs(target, current)
        if steps:
            return dict(direction="up", revisions=ids(steps), argument=target,
                        expect=sorted(self.rows_after(steps, current)))
        try:
            steps = self.script._downgrade_revs(target, current)
        except self.CommandError:
            steps = None
        if steps is not None:
            if not steps:
                return dict(direction="none", revisions=[], argument=target)
            undo = set(ids(steps))
            landing = self.heads_of(self.rows_after(steps, current))
            return self.downgrade(current, undo, landing, [target])
        # Refused: Alembic 1.8.1 does so for a revision another branch depends on
        # ("not a valid downgrade target from current head(s)"). Below the current revision(s) when
        # every revision it names is needed by them and some of them need it.
        # Only a revision named outright: "expand@head" or "heads" is reached when nothing is pending.
        label, _, named = target.rpartition("@")
        try:
            wanted = [self.map.get_revision(named)] if named not in ("head", "heads", "base") else None
            if wanted and not wanted[0].revision.startswith(named):
                wanted = None  # a relative form such as ae10-1
            if wanted and label and label not in wanted[0].branch_labels and label not in self.labels_of(wanted):
                wanted = None
        except Exception:
            wanted = None
        have = self.closure(current)
        if not wanted or not all(r.revision in have for r in wanted):
            return dict(direction="none", revisions=[], argument=target)
        undo = have & (self.descendants(wanted) - {r.revision for r in wanted})
        if not undo:
            return dict(direction="none", revisions=[], argument=target)
        return self.downgrade(current, undo, self.heads_of(have - undo), [])

    def includes(self, targets, current):
        """Whether stamping `targets` would add nothing to the history of the rows `current`."""
        # What `alembic stamp --purge` itself calls, so an unknown revision fails with its message.
        steps = self.script._stamp_revs(targets, ())
        expect = self.rows_after(steps, ())
        wanted = self.script.get_revisions(targets)
        known = []
        unknown = []
        for row in current:
            try:
                rev = self.map.get_revision(row)
            except Exception:  # ResolutionError, or a row that is ambiguous as a prefix
                rev = None
            # get_revision also takes prefixes and symbols ("head"); a row must name a revision exactly.
            (known if rev is not None and rev.revision == row else unknown).append(row)
        have = self.closure(known)
        included = all(r.revision in have for r in wanted if r is not None)
        return dict(included=included, expect=sorted(expect), unknownRows=sorted(unknown))

    def between(self, before, after, failed):
        """What a run did, from the rows before and after it: the log need not say (a logger at WARN)."""
        gained = self.closure(after) - self.closure(before)
        lost = self.closure(before) - self.closure(after)
        order = [r.revision for r in self.script.walk_revisions()]  # topological: heads first, base last
        answer = dict(applied=[r for r in reversed(order) if r in gained], undone=[r for r in order if r in lost],
                      nonTransactional=False)
        if failed:
            with open(self.map.get_revision(failed).path, encoding="utf-8") as source:
                answer["nonTransactional"] = "autocommit_block" in source.read()
        return answer

    def restore(self, wanted, current):
        """Back to exactly `wanted` (the rows a run started from)."""
        have = self.closure(current)
        need = self.closure(wanted)
        if need == have:
            return dict(direction="none", revisions=[], argument=describe(wanted))
        if not need <= have:
            if len(wanted) != 1 or not need >= have:
                raise Refused("%s cannot be reached from %s by one alembic upgrade or downgrade"
                              % (describe(wanted), describe(current)))
            return self.classify(wanted[0], current)
        first = list(wanted) if len(wanted) == 1 else ([] if wanted else ["base"])
        return self.downgrade(current, have - need, set(wanted), first)


def describe(revs):
    return ",".join(sorted(revs)) if revs else "base"


def main(argv):
    if len(argv) < 3 or argv[1] not in ("classify", "restore", "includes", "resolve", "between") or (
            argv[1] == "between" and len(argv) < 4):
        emit(error="usage: python3 -c <revision_graph.py> classify|restore|includes|resolve TARGET [CURRENT...]"
                   " | between BEFORE FAILED [AFTER...]")
        return 2
    mode, target, current = argv[1], argv[2], tuple(argv[3:])
    try:
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError
    except ImportError as e:
        emit(error="%s cannot import alembic: %s" % (sys.executable, e))
        return 2
    graph = None
    try:
        # The functions `alembic upgrade` and `alembic downgrade` themselves call (alembic/command.py).
        graph = Graph(ScriptDirectory.from_config(Config("alembic.ini")))
        if mode == "resolve":
            graph.resolve(target)
            emit(heads=graph.heads())
        elif mode == "classify":
            graph.resolve(target)
            emit(**graph.classify(target, current))
        elif mode == "between":
            emit(**graph.between(() if target == "base" else tuple(target.split(",")), current[1:],
                                 None if current[0] == "-" else current[0]))
        elif mode == "includes":
            emit(**graph.includes(tuple(target.split(",")), current))
        else:
            emit(**graph.restore(() if target == "base" else tuple(target.split(",")), current))
        return 0
    except UnknownTarget as e:
        emit(error=str(e), unknownTarget=True, heads=graph.heads())
    except Refused as e:
        emit(error=str(e), refused=True)
    except CommandError as e:
        emit(error=str(e))
    except Exception as e:  # a script that does not import, a broken alembic.ini
        emit(error="%s: %s" % (type(e).__name__, e))
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
