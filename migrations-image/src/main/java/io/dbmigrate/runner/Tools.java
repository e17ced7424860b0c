package io.dbmigrate.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The external programs the runner drives. Paths are configurable because the image pins the PGDG client of the
 * newest PostgreSQL (pg_dump refuses servers newer than itself) and Alembic must be the one that has psycopg2.
 *
 * @param alembic the alembic console script; only its {@code #!} line is used, to find {@code python}
 * @param python  the interpreter that runs Alembic (inside checked_alembic.py) and the revision graph script; it must
 *                import alembic and psycopg2
 * @param squawk  the SQL linter the plan runs on its SQL (DBMIGRATE_SQUAWK, default {@code squawk} on PATH)
 */
public record Tools(String pgDump, String pgRestore, String alembic, String python, String squawk) {

    public Tools(String pgDump, String pgRestore, String alembic, String python) {
        this(pgDump, pgRestore, alembic, python, DEFAULT_SQUAWK);
    }

    static final String DEFAULT_PYTHON = "python3";
    static final String DEFAULT_SQUAWK = "squawk";
    private static final Pattern PYTHON_NAME = Pattern.compile("python[0-9.]*");
    private static final Path DEBIAN_BIN_ROOT = Path.of("/usr/lib/postgresql");
    private static final Pattern WRAPPER_VERSION = Pattern.compile("\\d+\\.?\\d+");

    /**
     * DBMIGRATE_PG_DUMP, DBMIGRATE_PG_RESTORE, DBMIGRATE_ALEMBIC, DBMIGRATE_SQUAWK and DBMIGRATE_PYTHON; without the last, the python
     * named on the {@code #!} line of the alembic script, else {@value #DEFAULT_PYTHON}.
     */
    public static Tools fromEnvironment(Map<String, String> env) {
        String alembic = orDefault(env.get("DBMIGRATE_ALEMBIC"), "alembic");
        String python = env.get("DBMIGRATE_PYTHON");
        String searchPath = env.get("PATH");
        return new Tools(
                pastPgWrapper(orDefault(env.get("DBMIGRATE_PG_DUMP"), "pg_dump"), searchPath, DEBIAN_BIN_ROOT),
                pastPgWrapper(orDefault(env.get("DBMIGRATE_PG_RESTORE"), "pg_restore"), searchPath, DEBIAN_BIN_ROOT),
                alembic,
                python == null || python.isBlank() ? pythonOf(alembic, searchPath) : python.trim(),
                orDefault(env.get("DBMIGRATE_SQUAWK"), DEFAULT_SQUAWK));
    }

    /**
     * The interpreter of an alembic console script: {@code /usr/bin/alembic} starts with {@code #!/usr/bin/python3},
     * a virtualenv's with its own python. That interpreter is the one that can import alembic, which the
     * {@code python3} first on PATH need not be. {@value #DEFAULT_PYTHON} when the script cannot be read or is not a
     * python one (a pyenv shim is a shell script).
     */
    static String pythonOf(String alembic, String searchPath) {
        Path script = locate(alembic, searchPath);
        if (script == null) {
            return DEFAULT_PYTHON;
        }
        String first;
        try (BufferedReader reader = Files.newBufferedReader(script, StandardCharsets.UTF_8)) {
            first = reader.readLine();
        } catch (IOException | RuntimeException e) {
            return DEFAULT_PYTHON;
        }
        if (first == null || !first.startsWith("#!")) {
            return DEFAULT_PYTHON;
        }
        String[] words = first.substring(2).trim().split("\\s+");
        String interpreter = words[0];
        if (isPython(interpreter)) {
            return interpreter;
        }
        if (interpreter.endsWith("/env") && words.length > 1 && isPython(words[1])) {
            return words[1];
        }
        return DEFAULT_PYTHON;
    }

    /**
     * The client {@code tool} names, run without Debian's pg_wrapper. On Debian and Ubuntu {@code pg_dump} and
     * {@code pg_restore} on PATH are links to {@code pg_wrapper}, a Perl script that picks a client version and execs
     * it: a Perl start (about 40 ms of CPU) before every run, which a local run over a fleet pays per target. The
     * runner always gives its clients an explicit host (PGHOST), and with one pg_wrapper ignores PGCLUSTER and the
     * user's cluster map and always runs the newest {@code /usr/lib/postgresql/<version>/bin/<tool>}: so the runner
     * runs that one directly. That also makes {@code --version} and the verifying {@code pg_restore} (run without a
     * host) the same client as the dump, which pg_wrapper would choose by cluster for them. Anything else (another
     * link, a script, nothing found) is left as it was given.
     */
    static String pastPgWrapper(String tool, String searchPath, Path binRoot) {
        Path located = locate(tool, searchPath);
        if (located == null) {
            return tool;
        }
        try {
            Path real = located.toRealPath();
            if (!real.getFileName().toString().equals("pg_wrapper")
                    || !real.getParent().getFileName().toString().equals("postgresql-common")) {
                return tool;
            }
            String name = located.getFileName().toString();
            try (Stream<Path> versions = Files.list(binRoot)) {
                // pg_wrapper's own rule (PgCommon::get_versions): directories named like 15 or 9.6, newest by number.
                return versions.filter(v -> WRAPPER_VERSION.matcher(v.getFileName().toString()).matches())
                        .filter(v -> Files.isExecutable(v.resolve("bin").resolve(name)))
                        .max(Comparator.comparing(v -> new BigDecimal(v.getFileName().toString())))
                        .map(v -> v.resolve("bin").resolve(name).toString())
                        .orElse(tool);
            }
        } catch (IOException | RuntimeException e) {
            return tool; // pg_wrapper itself decides, as before
        }
    }

    private static boolean isPython(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return !path.isEmpty() && PYTHON_NAME.matcher(name).matches();
    }

    private static Path locate(String program, String searchPath) {
        try {
            if (program.contains("/")) {
                Path p = Path.of(program);
                return Files.isRegularFile(p) ? p : null;
            }
            if (searchPath == null) {
                return null;
            }
            for (String dir : searchPath.split(":")) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        } catch (RuntimeException e) {
            // an unusable PATH entry: fall back to the default
        }
        return null;
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
