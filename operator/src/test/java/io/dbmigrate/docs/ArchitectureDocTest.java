package io.dbmigrate.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dbmigrate.decide.Decision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md stays true: its table has a row for every {@link Decision} the planner can take (and none for
 * one that is gone), and every file of its reading path exists.
 */
class ArchitectureDocTest {
    private static final Path REPOSITORY = Path.of("..");
    private static final Path DOC = REPOSITORY.resolve("docs/architecture.md");
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `(\\w+)` \\|", Pattern.MULTILINE);
    private static final Pattern READING_PATH = Pattern.compile("^\\d+\\. `([^`]+)`", Pattern.MULTILINE);

    @Test
    void everyDecisionHasItsRowInTheTable() throws IOException {
        String doc = Files.readString(DOC);
        int start = doc.indexOf("\n## Decisions\n");
        assertTrue(start >= 0, "a Decisions section in " + DOC);
        int end = doc.indexOf("\n## ", start + 1);
        Set<String> rows = new TreeSet<>();
        Matcher row = TABLE_ROW.matcher(doc.substring(start, end < 0 ? doc.length() : end));
        while (row.find()) {
            rows.add(row.group(1));
        }
        Set<String> decisions = new TreeSet<>();
        records(Decision.class).forEach(type -> decisions.add(type.getSimpleName()));

        assertEquals(decisions, rows, "the Decision table of " + DOC);
    }

    @Test
    void theReadingPathHasTenFilesThatExist() throws IOException {
        List<String> files = new ArrayList<>();
        Matcher item = READING_PATH.matcher(Files.readString(DOC));
        while (item.find()) {
            files.add(item.group(1));
        }
        assertEquals(10, files.size(), files.toString());
        for (String file : files) {
            assertTrue(Files.isRegularFile(REPOSITORY.resolve(file)), file + " on the reading path of " + DOC);
        }
    }

    // The decision records, found through the sealed hierarchy (StepDecision and StampDecision are families, not rows).
    private static Stream<Class<?>> records(Class<?> type) {
        if (type.isRecord()) {
            return Stream.of(type);
        }
        return type.isSealed() ? Stream.of(type.getPermittedSubclasses()).flatMap(ArchitectureDocTest::records)
                : Stream.empty();
    }
}
