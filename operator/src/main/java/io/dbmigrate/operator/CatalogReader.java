package io.dbmigrate.operator;

import io.dbmigrate.api.v1alpha1.CredentialsSecretRef;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.QueryGeneratorSpec;
import io.dbmigrate.fleet.CatalogRead;
import io.dbmigrate.fleet.RolloutPlanner;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a query generator's SQL on its catalog database, at most once an interval: read-only, with a statement
 * timeout and a row limit, as the catalog Secret's user. The last read of each (set, generator, spec) is kept, so a
 * reconcile woken by a child reads the catalog only when its interval has passed, and a failed read keeps the rows of
 * the last good one. The password is read from the Secret for the one connection and never logged or kept. The reads
 * of a deleted set, or of a generator a set no longer has, are forgotten at a set's next reconcile
 * ({@link #forgetUnused}), without a finalizer on every set.
 */
final class CatalogReader {
    static final String APPLICATION_NAME = "dbmigrate-operator";
    private static final int CONNECT_TIMEOUT_SECONDS = 10;

    private record Key(String setUid, int generator, QueryGeneratorSpec spec) {
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<Key, CatalogRead> reads = new ConcurrentHashMap<>();

    CatalogReader(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    CatalogRead read(String namespace, String setUid, int generator, QueryGeneratorSpec query) {
        Key key = new Key(setUid, generator, query);
        CatalogRead last = reads.get(key);
        Instant now = clock.instant();
        if (last != null && now.isBefore(last.at().plus(RolloutPlanner.catalogInterval(query)))) {
            return last;
        }
        CatalogRead read;
        try {
            read = CatalogRead.of(rows(namespace, query), now);
        } catch (SQLException | KubernetesClientException | IllegalArgumentException e) {
            String why = describe(e);
            read = last == null ? new CatalogRead(null, why, now) : last.failed(why, now);
        }
        // A changed spec is a new key: the old one's read goes.
        reads.keySet().removeIf(k -> k.setUid().equals(setUid) && k.generator() == generator);
        reads.put(key, read);
        return read;
    }

    /**
     * Forgets the reads no set uses any more: those of the sets not among {@code liveSets} (deleted; a set made again
     * has a new uid) and those of {@code setUid}'s generators that are not among its {@code queryGenerators} now.
     */
    void forgetUnused(String setUid, Set<Integer> queryGenerators, Set<String> liveSets) {
        reads.keySet().removeIf(k -> !liveSets.contains(k.setUid())
                || k.setUid().equals(setUid) && !queryGenerators.contains(k.generator()));
    }

    private List<CatalogRead.Row> rows(String namespace, QueryGeneratorSpec query) throws SQLException {
        DatabaseSpec catalog = query.catalog();
        Properties properties = credentials(namespace, catalog.credentialsSecret());
        properties.setProperty("sslmode", catalog.sslModeOrDefault().libpqName());
        properties.setProperty("ApplicationName", APPLICATION_NAME);
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        properties.setProperty("socketTimeout", Integer.toString(QueryGeneratorSpec.TIMEOUT_SECONDS + 10));
        properties.setProperty("readOnly", "true");
        String url = "jdbc:postgresql://" + catalog.host() + ":" + catalog.portOrDefault() + "/"
                + URLEncoder.encode(catalog.name(), StandardCharsets.UTF_8);
        try (Connection connection = DriverManager.getConnection(url, properties)) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCAL statement_timeout = '" + QueryGeneratorSpec.TIMEOUT_SECONDS + "s'");
                // One row past the limit says the catalog has more tenants than a set takes.
                statement.setMaxRows(QueryGeneratorSpec.MAX_ROWS + 1);
                try (ResultSet result = statement.executeQuery(query.sql())) {
                    List<CatalogRead.Row> rows = rows(result);
                    if (rows.size() > QueryGeneratorSpec.MAX_ROWS) {
                        throw new IllegalArgumentException("the query returned more than " + QueryGeneratorSpec.MAX_ROWS
                                + " rows");
                    }
                    return rows;
                }
            } finally {
                connection.rollback();
            }
        }
    }

    private static List<CatalogRead.Row> rows(ResultSet result) throws SQLException {
        ResultSetMetaData metadata = result.getMetaData();
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 1; i <= metadata.getColumnCount(); i++) {
            columns.putIfAbsent(metadata.getColumnLabel(i).toLowerCase(Locale.ROOT), i);
        }
        for (String required : List.of(QueryGeneratorSpec.HOST, QueryGeneratorSpec.DBNAME)) {
            if (!columns.containsKey(required)) {
                throw new IllegalArgumentException("the query returns no " + required + " column (it has "
                        + String.join(", ", columns.keySet()) + ")");
            }
        }
        List<CatalogRead.Row> rows = new ArrayList<>();
        while (result.next()) {
            rows.add(new CatalogRead.Row(column(result, columns, QueryGeneratorSpec.NAME),
                    column(result, columns, QueryGeneratorSpec.HOST), column(result, columns, QueryGeneratorSpec.PORT),
                    column(result, columns, QueryGeneratorSpec.DBNAME), column(result, columns, QueryGeneratorSpec.SCHEMA)));
        }
        return rows;
    }

    private static String column(ResultSet result, Map<String, Integer> columns, String name) throws SQLException {
        Integer index = columns.get(name);
        return index == null ? null : result.getString(index);
    }

    private Properties credentials(String namespace, CredentialsSecretRef ref) {
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.name()).get();
        if (secret == null) {
            throw new IllegalArgumentException("the catalog's Secret " + ref.name() + " does not exist");
        }
        Properties properties = new Properties();
        properties.setProperty("user", value(secret, ref.usernameKeyOrDefault()));
        properties.setProperty("password", value(secret, ref.passwordKeyOrDefault()));
        return properties;
    }

    private static String value(Secret secret, String key) {
        String encoded = secret.getData() == null ? null : secret.getData().get(key);
        if (encoded == null) {
            throw new IllegalArgumentException("the catalog's Secret " + secret.getMetadata().getName() + " has no key "
                    + key);
        }
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    // What the status says of a failed read: the kind and the server's words (pgjdbc never puts the password in them).
    private static String describe(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String prefix = e instanceof SQLException sql && sql.getSQLState() != null ? "SQLSTATE " + sql.getSQLState()
                + ": " : "";
        return "reading the catalog failed: " + prefix + message.lines().findFirst().orElse("");
    }
}
