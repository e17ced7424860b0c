package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tiny Alembic project written by the tests: env.py connects with {@code postgresql+psycopg2://}, i.e. with nothing
 * but libpq's PG* environment, the way the migrations image's template does.
 */
final class AlembicProject {

    /** Debian's alembic (python3-alembic with psycopg2), not whatever python3 comes first on PATH. */
    static final String ALEMBIC = "/usr/bin/alembic";

    static Tools tools() {
        return Tools.fromEnvironment(java.util.Map.of("DBMIGRATE_ALEMBIC", ALEMBIC));
    }

    private static final String LOGGING = """

            [loggers]
            keys = root,sqlalchemy,alembic

            [handlers]
            keys = console

            [formatters]
            keys = generic

            [logger_root]
            level = WARN
            handlers = console
            qualname =

            [logger_sqlalchemy]
            level = WARN
            handlers =
            qualname = sqlalchemy.engine

            [logger_alembic]
            level = INFO
            handlers =
            qualname = alembic

            [handler_console]
            class = StreamHandler
            args = (sys.stderr,)
            level = NOTSET
            formatter = generic

            [formatter_generic]
            format = %(levelname)-5.5s [%(name)s] %(message)s
            """;

    private static final String ENV_PY = """
            from logging.config import fileConfig

            from alembic import context
            from sqlalchemy import engine_from_config, pool

            config = context.config
            if config.config_file_name is not None and config.file_config.has_section("loggers"):
                fileConfig(config.config_file_name)

            connectable = engine_from_config(
                config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool)
            with connectable.connect() as connection:
                context.configure(connection=connection, target_metadata=None)
                with context.begin_transaction():
                    context.run_migrations()
            """;

    private final Path dir;

    private AlembicProject(Path dir) {
        this.dir = dir;
    }

    /** Two revisions: 0001_init creates customers, 0002_email adds a column. */
    static AlembicProject create(Path dir, boolean withLogging) throws IOException {
        Files.createDirectories(dir.resolve("versions"));
        Files.writeString(dir.resolve("alembic.ini"), """
                [alembic]
                script_location = .
                sqlalchemy.url = postgresql+psycopg2://
                """ + (withLogging ? LOGGING : ""));
        Files.writeString(dir.resolve("env.py"), ENV_PY);
        AlembicProject project = new AlembicProject(dir);
        project.revision("0001_init", null, "create customers", """
                op.create_table("customers", sa.Column("id", sa.Integer, primary_key=True),
                                sa.Column("name", sa.Text, nullable=False))
                """, "op.drop_table('customers')");
        project.revision("0002_email", "0001_init", "add email", """
                op.add_column("customers", sa.Column("email", sa.Text))
                """, "op.drop_column('customers', 'email')");
        return project;
    }

    /** Alembic commits each revision on its own instead of the whole run at once. */
    AlembicProject transactionPerMigration() throws IOException {
        Files.writeString(dir.resolve("env.py"), ENV_PY.replace("target_metadata=None)",
                "target_metadata=None, transaction_per_migration=True)"));
        return this;
    }

    Path dir() {
        return dir;
    }

    /** Someone running alembic by hand, with libpq's {@code env}: no lock, no dbmigrate. It must succeed. */
    void alembicByHand(Map<String, String> env, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ALEMBIC, "-c", "alembic.ini"));
        command.addAll(List.of(arguments));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
    }

    /** alembic.ini's sqlalchemy.url, as `alembic init` leaves it for the user to fill in. */
    AlembicProject withUrl(String url) throws IOException {
        Path ini = dir.resolve("alembic.ini");
        Files.writeString(ini, Files.readString(ini).replace("sqlalchemy.url = postgresql+psycopg2://",
                "sqlalchemy.url = " + url));
        return this;
    }

    /** env.py with {@code engine} (a Python expression) for the engine and {@code configure} added to configure(). */
    AlembicProject withEnv(String engine, String configure) throws IOException {
        String env = ENV_PY
                .replace("engine_from_config(\n    config.get_section(config.config_ini_section), prefix=\"sqlalchemy.\","
                        + " poolclass=pool.NullPool)", engine)
                .replace("target_metadata=None)", "target_metadata=None" + configure + ")");
        if (!env.contains(engine) || !env.contains("target_metadata=None" + configure + ")")) {
            throw new IllegalStateException("env.py was not changed: " + env);
        }
        Files.writeString(dir.resolve("env.py"), env);
        return this;
    }

    /** The alembic logger at WARN: Alembic then logs no "Running upgrade" line. */
    AlembicProject alembicLoggerAtWarn() throws IOException {
        Path ini = dir.resolve("alembic.ini");
        String text = Files.readString(ini);
        String logger = "[logger_alembic]\nlevel = INFO";
        if (!text.contains(logger)) {
            throw new IllegalStateException("the project has no alembic logger at INFO");
        }
        Files.writeString(ini, text.replace(logger, "[logger_alembic]\nlevel = WARN"));
        return this;
    }

    /** Adds 0003_phone after 0002_email: customers.phone, added and dropped again. The third revision most tests use. */
    AlembicProject withPhone() throws IOException {
        return revision("0003_phone", "0002_email", "add phone",
                "op.add_column('customers', sa.Column('phone', sa.Text))", "op.drop_column('customers', 'phone')");
    }

    /** Adds 0003_broken after 0002_email, which fails: it selects from a table that does not exist. */
    AlembicProject withBrokenRevision() throws IOException {
        return revision("0003_broken", "0002_email", "broken", "op.execute('select * from no_such_table')");
    }

    /** Adds versions/{id}.py whose upgrade() runs {@code body} (Python, unindented) and whose downgrade() passes. */
    AlembicProject revision(String id, String down, String message, String body) throws IOException {
        return revision(id, down, message, body, "pass");
    }

    /** Adds versions/{id}.py with both functions' bodies (Python, unindented). */
    AlembicProject revision(String id, String down, String message, String body, String downgradeBody)
            throws IOException {
        Files.writeString(dir.resolve("versions").resolve(id + ".py"), "\"\"\"" + message + "\"\"\"\n"
                + "from alembic import op\n"
                + "import sqlalchemy as sa\n\n"
                + "revision = '" + id + "'\n"
                + "down_revision = " + (down == null ? "None" : "'" + down + "'") + "\n"
                + "branch_labels = None\n"
                + "depends_on = None\n\n\n"
                + "def upgrade():\n" + indent(body) + "\n\n\n"
                + "def downgrade():\n" + indent(downgradeBody) + "\n");
        return this;
    }

    private static String indent(String body) {
        return body.strip().lines().map(l -> "    " + l).reduce((a, b) -> a + "\n" + b).orElse("    pass");
    }
}
