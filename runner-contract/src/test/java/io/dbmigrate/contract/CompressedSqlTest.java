package io.dbmigrate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CompressedSqlTest {

    @Test
    void roundTripsUtf8() {
        String sql = "BEGIN;\n-- Grüße 😀\nCOMMIT;\n";
        assertEquals(sql, CompressedSql.decode(CompressedSql.encode(sql)));
        assertEquals("", CompressedSql.decode(CompressedSql.encode("")));
    }

    @Test
    void compressesRepetitiveSql() {
        String sql = "UPDATE customers SET computed_score = 0 WHERE id = 1;\n".repeat(1_000);
        assertTrue(CompressedSql.encode(sql).length() < sql.length() / 20);
    }

    @Test
    void linesKeepTheirBreaks() {
        String sql = "a;\n\nb;\nc;";
        assertEquals(4, CompressedSql.lineCount(sql));
        assertEquals(3, CompressedSql.lineCount("a;\n\nb;\n"));
        assertEquals(0, CompressedSql.lineCount(""));
        assertEquals("", CompressedSql.firstLines(sql, 0));
        assertEquals("a;\n", CompressedSql.firstLines(sql, 1));
        assertEquals("a;\n\nb;\n", CompressedSql.firstLines(sql, 3));
        assertEquals(sql, CompressedSql.firstLines(sql, 4));
        assertEquals(sql, CompressedSql.firstLines(sql, 99));
    }
}
