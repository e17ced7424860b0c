"""Where an Alembic target lies from the database's revision(s), for dbmigrate-runner.

Usage (in the migrations directory): python3 -c "$(cat revision_graph.py)" TARGET [CURRENT...]
CURRENT are the rows of alembic_version (none at base). Prints one line
"dbmigrate-revision-graph: {json}" on stdout:
  {"direction": "up"|"down"|"none", "revisions": [...]}   the revisions `alembic upgrade TARGET`
      would apply, or, when it would do nothing, those `alembic downgrade TARGET` would undo, in order
  {"error": "..."}                                          Alembic's own message (exit status 2)
Reads the scripts only; never connects to the database. `alembic upgrade` to an ancestor of the
current revision exits 0 and does nothing, so this is how an explicit downgrade is recognised.
"""
import json
import sys

MARKER = "dbmigrate-revision-graph: "


def emit(**fields):
    sys.stdout.write(MARKER + json.dumps(fields) + "\n")
    sys.stdout.flush()


def ids(steps):
    return [step.revision.revision for step in steps]


def main(argv):
    if len(argv) < 2:
        emit(error="usage: python3 -c <revision_graph.py> TARGET [CURRENT...]")
        return 2
    target = argv[1]
    current = tuple(argv[2:])
    try:
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError
    except ImportError as e:
        emit(error="%s cannot import alembic: %s" % (sys.executable, e))
        return 2
    try:
        script = ScriptDirectory.from_config(Config("alembic.ini"))
        # The functions `alembic upgrade` and `alembic downgrade` themselves call (alembic/command.py).
        up = ids(script._upgrade_revs(target, current))
        if up:
            emit(direction="up", revisions=up)
            return 0
        try:
            down = ids(script._downgrade_revs(target, current))
        except CommandError:
            down = []  # not below the current revision either: upgrade has nothing to do
        emit(direction="down" if down else "none", revisions=down)
        return 0
    except CommandError as e:
        emit(error=str(e))
    except Exception as e:  # a script that does not import, a broken alembic.ini
        emit(error="%s: %s" % (type(e).__name__, e))
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
