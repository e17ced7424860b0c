package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.contract.LintFinding;
import io.dbmigrate.contract.LintReport;
import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.PlanResult;
import io.dbmigrate.contract.RunnerException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * plan --lint with the real Alembic, the real squawk (DBMIGRATE_SQUAWK, as scripts/test.sh installs it) and PostgreSQL:
 * the unsafe forms of common changes are found, each in its revision; their safe forms are not.
 */
class PlanLintIT extends ProjectFixture {

    PlanLintIT() {
        super("planlint", PlanLintIT::revisions);
    }

    static AlembicProject revisions(AlembicProject project) throws java.io.IOException {
        return project
                .revision("0003_orders", "0002_email", "orders", """
                        op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True),
                                        sa.Column("customer_id", sa.Integer), sa.Column("amount", sa.Integer))
                        """)
                .revision("0004_unsafe", "0003_orders", "the unsafe forms", """
                        op.create_index("ix_customers_name", "customers", ["name"])
                        op.add_column("customers", sa.Column("tier", sa.Text, nullable=False))
                        op.alter_column("customers", "email", existing_type=sa.Text, nullable=False)
                        op.create_foreign_key("fk_orders_customer", "orders", "customers", ["customer_id"], ["id"])
                        op.add_column("customers", sa.Column("score", sa.Float, server_default=sa.text("random()")))
                        op.alter_column("orders", "amount", existing_type=sa.Integer, type_=sa.BigInteger)
                        """)
                .revision("0005_safe", "0004_unsafe", "their safe forms", """
                        op.add_column("orders", sa.Column("note", sa.Text))
                        op.add_column("orders", sa.Column("status", sa.Text, nullable=False, server_default="new"))
                        op.add_column("orders", sa.Column("seen_at", sa.DateTime(timezone=True),
                                                          server_default=sa.text("now()")))
                        op.create_foreign_key("fk_orders_customer2", "orders", "customers", ["customer_id"], ["id"],
                                              postgresql_not_valid=True)
                        op.execute("ALTER TABLE orders ADD CONSTRAINT orders_note_not_null"
                                   " CHECK (note IS NOT NULL) NOT VALID")
                        with op.get_context().autocommit_block():
                            op.create_index("ix_orders_customer", "orders", ["customer_id"],
                                            postgresql_concurrently=True)
                            op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_customer2")
                            op.execute("ALTER TABLE orders VALIDATE CONSTRAINT orders_note_not_null")
                        op.alter_column("orders", "note", existing_type=sa.Text, nullable=False)
                        """, """
                        op.drop_column("orders", "seen_at")
                        op.drop_column("orders", "status")
                        """);
    }

    private static Tools tools() {
        String squawk = System.getenv("DBMIGRATE_SQUAWK");
        assertNotNull(squawk, "DBMIGRATE_SQUAWK: scripts/test.sh installs squawk (ensure_squawk)");
        Tools t = AlembicProject.tools();
        return new Tools(t.pgDump(), t.pgRestore(), t.alembic(), t.python(), squawk);
    }

    private PlanResult plan(Tools tools, String target, boolean allowDowngrade, boolean lint) throws RunnerException {
        return Plan.run(Databases.settings(db), tools, new PlanRequest(project.dir(), target, allowDowngrade, lint),
                logStream(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static Map<String, String> severityByRule(LintReport lint) {
        return lint.findings().stream().collect(Collectors.toMap(LintFinding::rule, LintFinding::severity,
                (a, b) -> a.equals(b) ? a : a + "," + b));
    }

    @Test
    void theUnsafeFormsAreFoundInTheirRevision() throws Exception {
        upgradeDatabaseTo("0003_orders");

        PlanResult p = plan(tools(), "0004_unsafe", false, true);

        LintReport lint = p.lint();
        assertNull(lint.unavailable(), String.valueOf(lint.unavailable()));
        assertEquals("squawk 2.66.0", lint.linter());
        assertEquals(Map.of(
                "require-concurrent-index-creation", LintFinding.ERROR,
                "adding-required-field", LintFinding.ERROR,
                "adding-not-nullable-field", LintFinding.ERROR,
                "adding-foreign-key-constraint", LintFinding.ERROR,
                "constraint-missing-not-valid", LintFinding.ERROR,
                // random() is volatile: every row gets its own value, so the table is rewritten.
                "adding-field-with-default", LintFinding.ERROR,
                "changing-column-type", LintFinding.ERROR), severityByRule(lint), lint.findings().toString());
        assertEquals(lint.findings().size(), lint.total());
        for (LintFinding f : lint.findings()) {
            assertEquals("0004_unsafe", f.revision(), f.toString());
            assertTrue(f.line() > 0, f.toString());
        }
        LintFinding index = lint.findings().stream()
                .filter(f -> f.rule().equals("require-concurrent-index-creation")).findFirst().orElseThrow();
        assertEquals("CREATE INDEX ix_customers_name ON customers (name);", index.statement());
        assertTrue(index.message().contains("concurrently"), index.message());
        assertTrue(log().contains("lint: error require-concurrent-index-creation revision=0004_unsafe"), log());
        assertTrue(PlanCommand.summary("d", p).endsWith("; lint: 7 finding(s), 7 error(s)"),
                PlanCommand.summary("d", p));
    }

    @Test
    void theSafeFormsAreNot() throws Exception {
        upgradeDatabaseTo("0004_unsafe");

        PlanResult p = plan(tools(), "0005_safe", false, true);

        assertNull(p.lint().unavailable(), String.valueOf(p.lint().unavailable()));
        assertEquals(List.of(), p.lint().findings(), "CONCURRENTLY in an autocommit block, NOT VALID then VALIDATE"
                + " on its own, SET NOT NULL after a validated CHECK, constant and now() defaults");
        assertEquals(0, p.lint().total());
    }

    @Test
    void aDowngradeIsLintedToo() throws Exception {
        upgradeDatabaseTo("0005_safe");

        PlanResult p = plan(tools(), "0004_unsafe", true, true);

        assertEquals(List.of("ban-drop-column", "ban-drop-column"),
                p.lint().findings().stream().map(LintFinding::rule).toList());
        assertEquals(List.of("0005_safe", "0005_safe"),
                p.lint().findings().stream().map(LintFinding::revision).toList());
        assertEquals(LintFinding.WARNING, p.lint().findings().get(0).severity());
    }

    @Test
    void aMissingSquawkIsReportedNotTakenForNoFindings() throws Exception {
        upgradeDatabaseTo("0003_orders");
        Tools t = AlembicProject.tools();

        PlanResult p = plan(new Tools(t.pgDump(), t.pgRestore(), t.alembic(), t.python(), tmp.resolve("nosquawk")
                .toString()), "0004_unsafe", false, true);

        assertTrue(p.lint().unavailable().startsWith("squawk cannot run: " + tmp.resolve("nosquawk")),
                p.lint().unavailable());
        assertEquals(List.of(), p.lint().findings());
        assertTrue(PlanCommand.summary("d", p).contains("lint unavailable: squawk cannot run"));
    }

    @Test
    void withoutLintThePlanHasNone() throws Exception {
        upgradeDatabaseTo("0003_orders");
        assertNull(plan(tools(), "0004_unsafe", false, false).lint());
    }
}
