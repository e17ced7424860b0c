package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExternalProcessTest {

    @Test
    void aChildConnectsOnlyWhereItIsToldNotWhereTheRunnersEnvironmentPoints() {
        Map<String, String> inherited = new HashMap<>(Map.of("PATH", "/usr/bin", "PGHOST", "prod-db",
                "PGPASSWORD", "secret", "DBMIGRATE_SQLALCHEMY_URL", "postgresql://prod-db/crm"));
        ExternalProcess.childEnvironment(inherited, Map.of("PGHOST", "127.0.0.1", "PGDATABASE", "scratch"));
        assertEquals(Map.of("PATH", "/usr/bin", "PGHOST", "127.0.0.1", "PGDATABASE", "scratch"), inherited,
                "an inherited DBMIGRATE_SQLALCHEMY_URL would send a rehearsal's Alembic to production");
    }
}
