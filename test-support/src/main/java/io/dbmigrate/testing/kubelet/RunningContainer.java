package io.dbmigrate.testing.kubelet;

import java.util.List;

/** A started container, whatever runs it: its exit, a SIGKILL, its last log lines, and its removal. */
interface RunningContainer {

    /** Waits for the container to exit and for its output to be recorded; returns the exit code. */
    int waitFor() throws InterruptedException;

    /** SIGKILL to everything in the container, as a kubelet does when the pod is deleted. */
    void kill();

    /** The last lines of its output, for a FallbackToLogsOnError message. */
    List<String> lastLines();

    /** Frees what the runtime keeps of an exited (or killed) container; nothing for a process. */
    void remove();
}
