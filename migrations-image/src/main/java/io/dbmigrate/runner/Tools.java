package io.dbmigrate.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

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

    /**
     * DBMIGRATE_PG_DUMP, DBMIGRATE_PG_RESTORE, DBMIGRATE_ALEMBIC, DBMIGRATE_SQUAWK and DBMIGRATE_PYTHON; without the last, the python
     * named on the {@code #!} line of the alembic script, else {@value #DEFAULT_PYTHON}.
     */
    public static Tools fromEnvironment(Map<String, String> env) {
        String alembic = orDefault(env.get("DBMIGRATE_ALEMBIC"), "alembic");
        String python = env.get("DBMIGRATE_PYTHON");
        return new Tools(
                orDefault(env.get("DBMIGRATE_PG_DUMP"), "pg_dump"),
                orDefault(env.get("DBMIGRATE_PG_RESTORE"), "pg_restore"),
                alembic,
                python == null || python.isBlank() ? pythonOf(alembic, env.get("PATH")) : python.trim(),
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
