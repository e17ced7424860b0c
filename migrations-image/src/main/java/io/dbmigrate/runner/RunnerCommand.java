package io.dbmigrate.runner;

import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.RunnerResult;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/** A command of {@code dbmigrate-runner}: picocli options and mixins; it runs once the environment is read. */
interface RunnerCommand {

    /** Checks the options picocli cannot check, so bad input is reported before any connection is used. */
    default void validateOptions() throws RunnerException {
    }

    RunnerResult run(Invocation invocation) throws RunnerException;

    /**
     * The file in the pod's shared /tmp where this command also leaves its result for the next container, written
     * after a failure too; null for most commands.
     */
    default PodFile podFile(Map<String, String> env) {
        return null;
    }

    /**
     * What a command runs with.
     *
     * @param command  the command's name, as its result names it
     * @param settings the connection, from the PG* variables
     * @param out      for what the command prints besides its summary line (plan's SQL); the summary comes after it
     * @param err      the key=value log
     * @param connection a connection opened for {@code settings} before the command line was parsed, which the
     *                   command may take; null for commands other than backup (see EarlyConnection#beforeParsing)
     */
    record Invocation(String command, ConnectionSettings settings, Tools tools, Clock clock, Map<String, String> env,
                      PrintStream out, PrintStream err, EarlyConnection connection) {

        RunnerResult succeeded(String message) {
            return RunnerResult.of(command, ExitCode.OK, message);
        }

        void log(String msg, Object... keyValues) {
            err.println(KeyValueLog.line("info", msg, keyValues));
        }
    }
}
