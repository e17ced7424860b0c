package io.dbmigrate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlStatementsTest {

    private static List<String> split(String sql) {
        SqlStatements.Split split = SqlStatements.split(sql, true);
        assertNull(split.unterminated(), sql);
        return split.statements();
    }

    private static int count(String sql) {
        return split(sql).size();
    }

    @Test
    void splitsAtSemicolons() {
        assertEquals(List.of("select 1", "select 2"), split("select 1; select 2"));
        assertEquals(List.of("select 1"), split("  select 1 ;  "));
        assertEquals(List.of("select 1"), split("select 1"));
        assertEquals(List.of("select 1", "select 2"), split(";;select 1;;\n;select 2;"));
    }

    @Test
    void theReviewersBypassesAreSeveralStatements() {
        assertEquals(List.of("set transaction read write", "insert into audit values (3)", "select true"),
                split("set transaction read write; insert into audit values (3); select true"));
        assertEquals(4, count("set default_transaction_read_only = off; commit; insert into audit values (3); select true"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "select ';' = ';'",
            "select 'it''s; fine' is not null",
            "select '' = ''",
            "select \"a;b\" from \"t;\"\"x\"",
            "select $$; insert into t values (1); $$ is not null",
            "select $body$ ; $$ ; $other$ ; $body$ is not null",
            "select $a_1$;$a_1$ is not null",
            "select true -- ; insert into t values (1)",
            "select true -- ;\n",
            "select /* ; */ true",
            "select /* outer /* inner ; */ still ; comment */ true",
            "select E'\\'; insert into t values (1); ' is not null",
            "select e'\\\\' = e'\\\\'",
            "select U&'d\\0061t\\+000061' = 'data'",
            "select count(*) = 0 from t where note like '%;%';",
            "select true; -- a trailing comment ; with a semicolon",
            "select true; /* closing words */ ;",
    })
    void semicolonsInQuotesAndCommentsDoNotSplit(String sql) {
        assertEquals(1, count(sql), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // 'a''' is the string a' : the INSERT is a statement of its own.
            "select 'a'''; insert into t values (1); select true",
            // Not dollar quotes: names with dollars in them ($ may follow a letter in a PostgreSQL name).
            "select a$b$ from t; insert into t values (1); select c$b$ from t",
            // A parameter, then a name: neither opens a quote.
            "select $1$x$; insert into t values (1); select y$x$",
            // With standard_conforming_strings on only E strings take backslash escapes: this one ends at '\\'.
            "select '\\'; insert into t values (1); select 1 -- '",
            // A name ending in e is not the E of an escape string.
            "select some_e'\\'; insert into t values (1); select 1 -- '",
            // A line comment ends at a carriage return too.
            "select true -- comment\r; insert into t values (1); select true",
    })
    void whereAQuoteIsNotOneTheStatementsShow(String sql) {
        assertEquals(3, count(sql), sql);
    }

    @Test
    void standardConformingStringsOffLetsBackslashesEscapeInEveryString() {
        String hiddenWhenOff = "select '\\'; insert into t values (1); select 1 -- '";
        assertEquals(3, SqlStatements.split(hiddenWhenOff, true).count());
        assertEquals(1, SqlStatements.split(hiddenWhenOff, false).count());
        String hiddenWhenOn = "select 'a\\' = '; insert into t values (1); select 1 -- '";
        assertEquals(1, SqlStatements.split(hiddenWhenOn, true).count());
        assertEquals(3, SqlStatements.split(hiddenWhenOn, false).count());
    }

    @Test
    void onlyCommentsAndSemicolonsAreNoStatement() {
        assertEquals(0, count(""));
        assertEquals(0, count(" ; ;\n"));
        assertEquals(0, count("-- nothing\n/* at all */;"));
    }

    @Test
    void whatIsLeftOpenIsSaid() {
        assertEquals("a '...' string", SqlStatements.split("select 'abc; insert", true).unterminated());
        assertEquals("a \"...\" identifier", SqlStatements.split("select \"abc; insert", true).unterminated());
        assertEquals("a $q$...$q$ dollar quote", SqlStatements.split("select $q$abc; $Q$ insert", true).unterminated());
        assertEquals("a /* comment", SqlStatements.split("select /* /* */ true", true).unterminated());
        assertEquals("a '...' string", SqlStatements.split("select E'\\'", true).unterminated());
    }
}
