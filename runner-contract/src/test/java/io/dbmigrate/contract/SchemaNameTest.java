package io.dbmigrate.contract;

import static io.dbmigrate.contract.BadInput.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"tenant_a", "_x", "t1", "public", "select", "pgx", "pg",
            "a23456789012345678901234567890123456789012345678901234567890123"})
    void acceptsPlainLowercaseIdentifiers(String name) throws RunnerException {
        assertNull(SchemaName.problem(name));
        assertEquals(name, SchemaName.validate("DBMIGRATE_SCHEMA", name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Tenant", "1tenant", "tenant-a", "tenant a", "t\"x", "t;drop", "t.x", "$user", "tén",
            "a234567890123456789012345678901234567890123456789012345678901234"})
    void refusesWhatIsNoPlainIdentifier(String name) {
        assertRefused("DBMIGRATE_SCHEMA: '", () -> SchemaName.validate("DBMIGRATE_SCHEMA", name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pg_catalog", "pg_toast", "pg_temp_1", "pg_anything", "information_schema"})
    void refusesSystemSchemas(String name) {
        assertRefused("spec.database.schema: '" + name + "' is a system schema",
                () -> SchemaName.validate("spec.database.schema", name));
    }

    @Test
    void quotesAsAnIdentifier() {
        assertEquals("\"tenant_a\"", SchemaName.quoted("tenant_a"));
        assertEquals("\"a\"\"b\"", SchemaName.quoted("a\"b"));
    }
}
