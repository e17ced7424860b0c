"""A Python that has imported Alembic, SQLAlchemy and psycopg2 once, and forks a child for each of the runner's
Python programs (checked_alembic.py, revision_graph.py) instead of starting an interpreter for each: one start with
those imports costs about 200 ms of CPU, a fork a few. Each child is still a process of its own, as a fresh
`python -B -c SOURCE ARGS...` would be: its own environment, directory, exit status and database sessions; what one
migration does to its interpreter (a module it patches, a crash) ends with it.

Started by the runner (ForkServer.java) as `python -B -c "$(cat fork_server.py)"`, it reads requests on stdin and
answers in frames on stdout; both are the runner's pipes, never a terminal.
  request, one line of JSON: {"id": N, "source": "...", "argv": [...], "cwd": "...", "env": {...}, "separate": bool}
  frame: "ID KIND LENGTH\\n" then LENGTH bytes. KIND is
    pid  the child's pid, in decimal: the first frame of a request
    o    bytes the child wrote to its stdout (and its stderr, unless "separate")
    e    bytes it wrote to its stderr ("separate" only)
    x    its exit status in decimal (128+N when signal N killed it, as Java reports it): the last frame, sent once the
         child has ended and its output has been read to the end
    f    why no child could be started: the last frame
The server ends when its stdin does (the runner is gone), and sends its children SIGTERM then.
"""
import gc
import json
import os
import select
import signal
import sys
import traceback

try:  # Preloaded for the children; a Python without them still serves, and each child fails as a fresh one would.
    import alembic.command  # noqa: F401
    import alembic.config  # noqa: F401
    import alembic.runtime.migration  # noqa: F401
    import psycopg2  # noqa: F401
    import sqlalchemy  # noqa: F401
    import sqlalchemy.pool  # noqa: F401
except ImportError:
    pass

STDIN, STDOUT = 0, 1


def send(request_id, kind, payload):
    """One frame on stdout, written whole with os.write: no lock nor buffer a forked child could inherit held."""
    data = ("%d %s %d\n" % (request_id, kind, len(payload))).encode("ascii") + payload
    while data:
        data = data[os.write(STDOUT, data):]


def exit_status(status):
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def run_child(request, out, err):
    """In the forked child: become `python -B -c SOURCE ARGV...` in the request's directory and environment."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # SIGPIPE stays ignored, as Python sets it at its start
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the server's pipes, other children's output
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # sys.stdin, sys.stdout and sys.stderr stay the ones this interpreter set up at its start (with its flags, such as
    # PYTHONUNBUFFERED, and empty: the server writes with os.write and reads with os.read, and runs no thread that could
    # hold their locks); they now read and write the descriptors above.
    sys.argv = ["-c"] + request["argv"]
    main = type(sys)("__main__")
    sys.modules["__main__"] = main
    code = 0
    try:
        exec(compile(request["source"], "<string>", "exec"), main.__dict__)
    except SystemExit as e:
        if e.code is None:
            code = 0
        elif isinstance(e.code, int):
            code = e.code & 0xFF
        else:
            print(e.code, file=sys.stderr)
            code = 1
    except BaseException as e:
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)  # from the program's frame, as Python prints it
        code = 1
    try:
        # What an interpreter's normal end does: wait for the program's threads, run its exit functions (logging's
        # flush among them), flush its output.
        import atexit
        import threading
        threading._shutdown()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


class Child:
    def __init__(self, request_id):
        self.id = request_id
        self.streams = {}  # read end of a pipe -> "o" or "e"
        self.status = None


def serve():
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner decides when its children stop
    gc.freeze()  # the preloaded modules stay out of every child's collections: fewer pages copied
    children = {}  # pid -> Child
    readers = {}  # read end -> (pid, kind)
    pending = b""
    reading = True

    def finish(pid):
        child = children[pid]
        if child.status is not None and not child.streams:
            send(child.id, "x", str(exit_status(child.status)).encode())
            del children[pid]

    def reap():
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in children:
                children[pid].status = status
                finish(pid)

    def start(request):
        separate = bool(request.get("separate"))
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe() if separate else (None, out_w)
        try:
            pid = os.fork()
        except OSError as e:
            for fd in {out_r, out_w, err_r, err_w} - {None}:
                os.close(fd)
            send(request["id"], "f", ("cannot fork: %s" % e).encode())
            return
        if pid == 0:
            try:
                run_child(request, out_w, err_w)
            finally:
                os._exit(70)
        child = Child(request["id"])
        os.close(out_w)
        child.streams[out_r] = "o"
        readers[out_r] = pid
        if separate:
            os.close(err_w)
            child.streams[err_r] = "e"
            readers[err_r] = pid
        children[pid] = child
        send(child.id, "pid", str(pid).encode())

    while reading or children:
        watched = [wake_r] + list(readers) + ([STDIN] if reading else [])
        ready, _, _ = select.select(watched, [], [])
        for fd in ready:
            if fd == wake_r:
                try:
                    while os.read(wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
                reap()
            elif fd == STDIN:
                data = os.read(STDIN, 65536)
                if not data:
                    reading = False
                    for pid in children:
                        try:
                            os.kill(pid, signal.SIGTERM)
                        except ProcessLookupError:
                            pass
                    continue
                pending += data
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    start(json.loads(line))
            else:
                pid = readers[fd]
                child = children[pid]
                data = os.read(fd, 65536)
                if data:
                    send(child.id, child.streams[fd], data)
                else:
                    os.close(fd)
                    del readers[fd]
                    del child.streams[fd]
                    finish(pid)
        reap()


if __name__ == "__main__":
    try:
        serve()
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
