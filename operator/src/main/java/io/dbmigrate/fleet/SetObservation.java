package io.dbmigrate.fleet;

import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one reconcile of a set knows, read at one time: the set, the Secrets each secrets generator matched, the
 * rows of each query generator's catalog, and
 * the DatabaseMigrations in its namespace (the planner keeps those the set owns).
 *
 * @param secrets  per secrets generator (its index in spec.generators), the Secrets its selector matched
 * @param catalogs per query generator (likewise), its catalog's last read
 */
public record SetObservation(DatabaseMigrationSet set, Map<Integer, List<DatabaseSecret>> secrets,
                             Map<Integer, CatalogRead> catalogs, List<DatabaseMigration> children, Instant now) {
}
