package io.dbmigrate.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.GeneratorSpec;
import io.dbmigrate.api.v1alpha1.QueryGeneratorSpec;
import io.dbmigrate.api.v1alpha1.SslMode;
import io.dbmigrate.fleet.CatalogRead;
import io.dbmigrate.testing.MockApiServer;
import io.dbmigrate.testing.Sets;
import io.dbmigrate.testing.TestClock;
import io.dbmigrate.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A query generator's catalog read against a real PostgreSQL: rows, the interval, failures, no credential shown, and
 * the reads of sets and generators gone forgotten.
 */
class CatalogReaderIT {
    private static final String NAMESPACE = "tenants";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final String SQL = "select name, host, port, dbname from tenants order by dbname";

    @RegisterExtension
    final TestDatabase catalog = TestDatabase.perTest("catalog");
    private final TestClock clock = new TestClock(T0);
    @RegisterExtension
    final MockApiServer server = MockApiServer.perTest();
    private CatalogReader reader;

    @BeforeEach
    void start() throws SQLException {
        secret("catalog", catalog.user(), catalog.password());
        reader = new CatalogReader(server.client(), clock);
        execute("create table tenants (name text, host text, port int, dbname text not null)",
                "insert into tenants values (null, 'pg-1', 5433, 'tenant_acme'), ('globex', 'pg-2', null, 'globex')");
    }

    @Test
    void theRowsAreReadOnceAnInterval() throws SQLException {
        CatalogRead first = read(query(SQL, "catalog", "10m"));
        assertEquals(List.of(new CatalogRead.Row("globex", "pg-2", null, "globex", null),
                new CatalogRead.Row(null, "pg-1", "5433", "tenant_acme", null)), first.rows());
        assertNull(first.error());

        // The test clock ticks on from where it is set: each move is against the read's own time.
        execute("insert into tenants values ('initech', 'pg-3', null, 'initech')");
        clock.set(first.at().plusSeconds(590));
        assertEquals(first, read(query(SQL, "catalog", "10m")), "within the interval: no new read");

        clock.set(first.at().plusSeconds(600));
        assertEquals(3, read(query(SQL, "catalog", "10m")).rows().size(), "the interval passed: the new tenant");
        assertEquals(3, read(query(SQL + " ", "catalog", "10m")).rows().size(), "a changed query is read at once");
    }

    @Test
    void theReadsOfADeletedSetAndOfARemovedGeneratorAreForgotten() throws SQLException {
        QueryGeneratorSpec query = query(SQL, "catalog", "10m");
        CatalogRead live = reader.read(NAMESPACE, "set-a", 0, query);
        reader.read(NAMESPACE, "set-a", 1, query);
        reader.read(NAMESPACE, "set-b", 0, query);
        execute("insert into tenants values ('initech', 'pg-3', null, 'initech')");

        // set-b is deleted; set-a's generator 1 is no longer a query generator. The clock stands still: a read still
        // kept is answered from memory with two rows, one forgotten reads the catalog again and finds three.
        reader.forgetUnused("set-a", Set.of(0), Set.of("set-a"));
        assertEquals(live, reader.read(NAMESPACE, "set-a", 0, query), "a live generator's read is kept");
        assertEquals(3, reader.read(NAMESPACE, "set-a", 1, query).rows().size(), "a removed generator's read is gone");
        assertEquals(3, reader.read(NAMESPACE, "set-b", 0, query).rows().size(), "a deleted set's read is gone");
    }

    @Test
    void aSetsObservationForgetsTheReadsOfASetGoneFromTheCache() throws SQLException {
        SetObserver observer = new SetObserver(clock, reader);
        DatabaseMigrationSet a = querySet("uid-a");
        DatabaseMigrationSet b = querySet("uid-b");
        List<DatabaseMigrationSet> cache = new ArrayList<>(List.of(a, b));
        Context<DatabaseMigrationSet> context = InformerContext.of(() -> List.copyOf(cache),
                Map.of(DatabaseMigration.class, List::of));
        observer.observe(a, context, true);
        observer.observe(b, context, true);
        execute("insert into tenants values ('initech', 'pg-3', null, 'initech')");

        cache.remove(b); // deleted
        assertEquals(2, observer.observe(a, context, true).catalogs().get(0).rows().size(), "a's read, kept");
        cache.add(b); // back, with the same uid only to see whether its read was kept
        assertEquals(3, observer.observe(b, context, true).catalogs().get(0).rows().size(), "b's read, forgotten");
    }

    @Test
    void aFailedReadSaysWhyAndKeepsTheLastGoodRows() throws SQLException {
        CatalogRead broken = read(query("select host from tenants", "catalog", null));
        assertNull(broken.rows());
        assertEquals("reading the catalog failed: the query returns no dbname column (it has host)", broken.error());

        QueryGeneratorSpec good = query(SQL, "catalog", "1m");
        CatalogRead read = read(good);
        assertEquals(2, read.rows().size());
        execute("alter table tenants rename to tenants_old");
        clock.set(read.at().plusSeconds(60));
        CatalogRead failed = read(good);
        assertEquals(2, failed.rows().size(), "the last good rows");
        assertTrue(failed.error().startsWith("reading the catalog failed: SQLSTATE 42P01: ERROR: relation \"tenants\" "
                + "does not exist"), failed.error());
        assertTrue(failed.at().isAfter(read.at().plusSeconds(59)), "the next read is an interval after this one");
    }

    @Test
    void theCatalogIsOnlyReadNeverWritten() throws SQLException {
        CatalogRead write = read(query("insert into tenants values ('x', 'h', null, 'x') returning name, host, dbname",
                "catalog", null));
        assertTrue(write.error().contains("SQLSTATE 25006"), write.error());
        assertEquals(2L, catalog.queryLong("select count(*) from tenants"), "nothing written");
    }

    @Test
    void aRefusedLoginShowsNoPassword() {
        secret("wrong", catalog.user(), "not-the-password-4f1c");
        CatalogRead refused = read(query(SQL, "wrong", null));
        assertNull(refused.rows());
        assertTrue(refused.error().contains("SQLSTATE 28P01"), refused.error());
        assertFalse(refused.error().contains("not-the-password-4f1c"), refused.error());

        CatalogRead missing = read(query(SQL, "absent", null));
        assertEquals("reading the catalog failed: the catalog's Secret absent does not exist", missing.error());
    }

    private CatalogRead read(QueryGeneratorSpec query) {
        return reader.read(NAMESPACE, "set-uid", 0, query);
    }

    private DatabaseMigrationSet querySet(String uid) {
        DatabaseMigrationSet set = Sets.set(null, GeneratorSpec.of(query(SQL, "catalog", "10m")));
        set.getMetadata().setUid(uid);
        set.getMetadata().setNamespace(NAMESPACE);
        return set;
    }

    private QueryGeneratorSpec query(String sql, String secret, String interval) {
        return new QueryGeneratorSpec(new DatabaseSpec(catalog.host(), catalog.port(), catalog.name(), SslMode.PREFER,
                new CredentialsSecretRef(secret, null, null)), sql, null, null, interval);
    }

    // As the API server stores it: data, base64 (the mock server does not turn stringData into data).
    private void secret(String name, String user, String password) {
        server.client().secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(name)
                .endMetadata().addToData("username", base64(user)).addToData("password", base64(password)).build())
                .create();
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    private void execute(String... statements) throws SQLException {
        try (Connection connection = catalog.connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
