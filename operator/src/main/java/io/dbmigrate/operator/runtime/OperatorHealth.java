package io.dbmigrate.operator.runtime;

/** What the HTTP endpoints report about the operator. */
public interface OperatorHealth {
    /** Liveness: false once the operator is shutting down. */
    boolean live();

    /** Readiness and start-up: started, with every informer healthy. */
    boolean ready();

    /** The metrics in the Prometheus text format. */
    String scrape();
}
