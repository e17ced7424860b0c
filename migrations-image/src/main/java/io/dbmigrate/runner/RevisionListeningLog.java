package io.dbmigrate.runner;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/** A log that also tells, as Alembic prints "Running upgrade A -> B", that B started: the lock sampler tags by it. */
final class RevisionListeningLog extends PrintStream {

    private final Consumer<String> onRevision;

    RevisionListeningLog(PrintStream log, Consumer<String> onRevision) {
        super(log, true, StandardCharsets.UTF_8);
        this.onRevision = onRevision;
        // Loaded and compiled now, not when the first revision's line arrives: in a fresh JVM (a Job's container) that
        // takes long enough for the sampler to see the revision's first lock before the line is read.
        AlembicOutput.lastStartedRevision(List.of("Running upgrade  -> "));
    }

    @Override
    public void println(String line) {
        if (line != null && line.contains("Running upgrade ")) {
            AlembicOutput.lastStartedRevision(List.of(line)).ifPresent(onRevision);
        }
        super.println(line);
    }
}
