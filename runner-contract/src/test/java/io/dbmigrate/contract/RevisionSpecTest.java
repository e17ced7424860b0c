package io.dbmigrate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RevisionSpecTest {

    @ParameterizedTest
    @ValueSource(strings = {"head", "heads", "base", "ae1027a6acf", "0001_init", "expand@head", "+2", "ae10+2",
            "expand@+1", "contract@ae1027a6acf", "A_b_9", "abc+1234"})
    void admitsAlembicRevisionSpecs(String spec) throws RunnerException {
        assertEquals(spec, RevisionSpec.validate("target", spec));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "head ", " head", "head; rm -rf /", "head;", "$(id)", "${HOME}", "`id`", "'head'",
            "\"head\"", "a/b", "/head", "..", "../versions", "-1", "--sql", "-head", "head\n", "he ad", "a@", "@head",
            "+", "+12345", "a+b", "x@y@z", "héad", "head|cat", "head&", "head>x", "a\\b", "head*", "a..b", "\t"})
    void refusesWhatAShellOrAParserCouldActOn(String spec) {
        BadInput.assertRefused("--target", () -> RevisionSpec.validate("--target", spec));
    }

    @Test
    void refusesNull() {
        RunnerException e = assertThrows(RunnerException.class, () -> RevisionSpec.validate("target", null));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
    }

    @Test
    void refusesMoreThan64Characters() throws RunnerException {
        String max = "a".repeat(64);
        assertEquals(max, RevisionSpec.validate("target", max));
        assertThrows(RunnerException.class, () -> RevisionSpec.validate("target", max + "a"));
        // Each part fits the pattern, the whole does not fit the length bound.
        assertThrows(RunnerException.class, () -> RevisionSpec.validate("target", "b".repeat(40) + "@" + "c".repeat(40)));
    }

    @Retention(RetentionPolicy.RUNTIME)
    @interface Pattern {
        String value();
    }

    @Pattern(RevisionSpec.PATTERN)
    static final class Annotated {
    }

    @Test
    void patternIsACompileTimeConstantUsableInAnnotations() {
        assertEquals(RevisionSpec.PATTERN, Annotated.class.getAnnotation(Pattern.class).value());
        // No look-around: the Kubernetes API server (RE2) must accept it as a CRD pattern.
        assertTrue(!RevisionSpec.PATTERN.contains("(?=") && !RevisionSpec.PATTERN.contains("(?!")
                && !RevisionSpec.PATTERN.contains("(?<"));
    }
}
