package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One run of Alembic against a database under its migration lock ({@link Upgrade}, {@link Stamp}): the database, the
 * tools, the migrations directory the request names (checked before anything starts), the clock, the log, and when the
 * run started.
 */
abstract class AlembicRun {

    final ConnectionSettings settings;
    final Tools tools;
    final Path dir;
    final Clock clock;
    final PrintStream log;
    final Instant startedAt;

    /** @throws RunnerException BAD_INPUT when {@code migrationsDir} holds no alembic.ini */
    AlembicRun(ConnectionSettings settings, Tools tools, Path migrationsDir, Clock clock, PrintStream log)
            throws RunnerException {
        this.settings = settings;
        this.tools = tools;
        this.dir = migrationsDirectory(migrationsDir);
        this.clock = clock;
        this.log = log;
        this.startedAt = now(clock);
    }

    /** The directory, absolute, when it holds an alembic.ini; BAD_INPUT otherwise. */
    static Path migrationsDirectory(Path given) throws RunnerException {
        Path dir = given.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("alembic.ini"))) {
            throw new RunnerException(ExitCode.BAD_INPUT, "no alembic.ini in " + dir
                    + " (the migrations image must COPY alembic.ini, env.py, script.py.mako and versions/ there)");
        }
        return dir;
    }

    /** A line of Alembic's output, into the log without the database's password. */
    final void logLine(String line) {
        log.println("alembic: " + settings.redact(line));
    }

    // Milliseconds, like the file names: nobody needs nanoseconds, and the termination message has 4096 bytes.
    static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
