package io.dbmigrate.runner;

import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.LockSafety;
import io.dbmigrate.contract.OnFailure;
import io.dbmigrate.contract.RevisionSpec;
import io.dbmigrate.contract.RunnerException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** The picocli option mixins several commands share, each option declared once. */
final class CommandOptions {

    private CommandOptions() {
    }

    /** {@code --migrations}: the Alembic project (upgrade, rehearse, plan, stamp). */
    static final class Migrations {
        @Option(names = "--migrations", required = true, paramLabel = "DIR",
                description = "Directory with alembic.ini.")
        Path dir;
    }

    /** {@code --migrations} and {@code --target}: the Alembic project and where to go (upgrade, rehearse, plan). */
    static final class Target {
        @Mixin
        Migrations migrations = new Migrations();

        @Option(names = "--target", required = true, paramLabel = "REV",
                description = "Alembic revision spec, e.g. head.")
        String target;

        /** The target, once it is a revision spec nothing could act on. */
        String target() throws RunnerException {
            RevisionSpec.validate("--target", target);
            return target;
        }
    }

    /** {@code --dir} and {@code --name}: where a resource's archives are (backup, rehearse). */
    static final class Archives {
        @Option(names = "--dir", required = true, paramLabel = "DIR",
                description = "Backup directory (a mounted volume).")
        Path dir;

        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "Owning resource's name; file prefix.")
        String name;
    }

    /** {@code --lock-wait}: how long to wait for the database's migration lock (upgrade, rehearse, stamp). */
    static final class LockWait {
        @Option(names = "--lock-wait", paramLabel = "DURATION",
                description = "How long to wait for another migration of the database (default: ${DEFAULT-VALUE}).")
        String lockWait;

        Duration lockWait() throws RunnerException {
            return Durations.parse("--lock-wait", lockWait);
        }
    }

    /** The lock-safety options (upgrade, rehearse); their defaults come from {@link SafetyDefaults}. */
    static final class Safety {
        @Option(names = "--lock-timeout", paramLabel = "DURATION",
                description = "PostgreSQL lock_timeout for the migration's statements; 0s for none"
                        + " (default: ${DEFAULT-VALUE}).")
        String lockTimeout;

        @Option(names = "--lock-retries", paramLabel = "N",
                description = "Runs of the migration again after a lock timeout, with jittered exponential backoff"
                        + " from 100ms up to 10s; 0 to 100 (default: ${DEFAULT-VALUE}).")
        int lockRetries;

        @Option(names = "--statement-timeout", paramLabel = "DURATION",
                description = "PostgreSQL statement_timeout for the migration's statements; 0s for none"
                        + " (default: ${DEFAULT-VALUE}).")
        String statementTimeout;

        @Mixin
        LockWait lockWait = new LockWait();

        LockSafety safety() throws RunnerException {
            if (lockRetries < 0 || lockRetries > 100) {
                throw new RunnerException(ExitCode.BAD_INPUT, "--lock-retries must be between 0 and 100, got "
                        + lockRetries);
            }
            return new LockSafety(Durations.parse("--lock-timeout", lockTimeout), lockRetries,
                    Durations.parse("--statement-timeout", statementTimeout), lockWait.lockWait());
        }
    }

    /**
     * The lock-safety options' defaults, from {@link LockSafety}'s constants, so the help text and the behaviour
     * cannot drift apart.
     */
    static final class SafetyDefaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argSpec) {
            if (!(argSpec instanceof OptionSpec option)) {
                return null;
            }
            return switch (option.longestName()) {
                case "--lock-timeout" -> Durations.format(LockSafety.DEFAULT_LOCK_TIMEOUT);
                case "--lock-retries" -> Integer.toString(LockSafety.DEFAULT_LOCK_RETRIES);
                case "--statement-timeout" -> Durations.format(LockSafety.DEFAULT_STATEMENT_TIMEOUT);
                case "--lock-wait" -> Durations.format(LockSafety.DEFAULT_LOCK_WAIT);
                case "--on-failure" -> OnFailure.HALT.name().toLowerCase(Locale.ROOT);
                default -> null;
            };
        }
    }
}
