package io.dbmigrate.fleet;

import java.time.Instant;
import java.util.List;

/**
 * What a query generator's last read of its catalog gave: the rows, or why there are none. A failed read after a good
 * one keeps the good rows (a catalog that is down for a minute does not make its tenants vanish) and says why.
 *
 * @param rows  the targets' rows, in the query's order; null when no read has succeeded yet
 * @param error why the last read failed, without any credential; null when it succeeded
 * @param at    when the last read was made: the next is due one interval later
 */
public record CatalogRead(List<Row> rows, String error, Instant at) {

    /** One tenant database, each column's text as the catalog gave it (null when the column is absent or NULL). */
    public record Row(String name, String host, String port, String dbname, String schema) {
    }

    public static CatalogRead of(List<Row> rows, Instant at) {
        return new CatalogRead(List.copyOf(rows), null, at);
    }

    /** A failed read, keeping the rows of the last good one. */
    public CatalogRead failed(String why, Instant when) {
        return new CatalogRead(rows, why, when);
    }
}
