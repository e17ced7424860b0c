package io.dbmigrate.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * revision_graph.py's answers, kept in this JVM: they depend only on the interpreter, the migrations directory's files
 * and the arguments, so a local run over many targets of one project asks Python each question once. Keyed by a
 * SHA-256 over the directory's files (an edited script is a new key); only answers without an error are kept, so a
 * retry after a fix sees the fixed file.
 */
final class ScriptAnswers {

    static final int CAPACITY = 512;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Key, CompletableFuture<ExternalProcess.Outcome>> ANSWERS = new LinkedHashMap<>(16, 0.75f,
            true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CompletableFuture<ExternalProcess.Outcome>> eldest) {
            return size() > CAPACITY;
        }
    };

    private record Key(String python, Path directory, String digest, List<String> arguments) {
    }

    /** What the script computes from its arguments; may throw as {@link ExternalProcess#supervise} does. */
    interface Question {
        ExternalProcess.Outcome ask() throws RunnerException;
    }

    private ScriptAnswers() {
    }

    /**
     * The kept answer to {@code arguments} asked of {@code python} in {@code directory}, or {@code question}'s, kept
     * when it has no error. Concurrent identical questions wait for the first one's Python.
     */
    static ExternalProcess.Outcome answer(String python, Path directory, List<String> arguments, Question question)
            throws RunnerException {
        Key key = new Key(python, directory.toAbsolutePath().normalize(), digest(directory), List.copyOf(arguments));
        CompletableFuture<ExternalProcess.Outcome> mine = new CompletableFuture<>();
        CompletableFuture<ExternalProcess.Outcome> existing;
        synchronized (ANSWERS) {
            existing = ANSWERS.putIfAbsent(key, mine);
        }
        if (existing != null) {
            try {
                return existing.get();
            } catch (ExecutionException e) {
                // The first asker failed and threw; ask again rather than share its exception.
                return question.ask();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunnerException(ExitCode.INTERRUPTED, "interrupted waiting for the Alembic revision graph");
            }
        }
        try {
            ExternalProcess.Outcome outcome = question.ask();
            if (!keepable(outcome)) {
                forget(key, mine);
            }
            mine.complete(outcome);
            return outcome;
        } catch (RuntimeException | RunnerException e) {
            forget(key, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private static void forget(Key key, CompletableFuture<ExternalProcess.Outcome> future) {
        synchronized (ANSWERS) {
            ANSWERS.remove(key, future);
        }
    }

    /** An answer without an error: errors can come from a broken file about to be fixed, or from the environment. */
    static boolean keepable(ExternalProcess.Outcome outcome) {
        if (outcome.exitCode() != 0) {
            return false;
        }
        JsonNode answer = null;
        for (String line : outcome.output()) {
            if (line.startsWith(RevisionGraph.MARKER)) {
                try {
                    answer = JSON.readTree(line.substring(RevisionGraph.MARKER.length()));
                } catch (IOException e) {
                    return false;
                }
            }
        }
        return answer != null && answer.isObject() && !answer.hasNonNull("error")
                && !answer.path("unknownTarget").asBoolean(false);
    }

    /**
     * SHA-256 over the directory's files, names and contents, in name order. __pycache__ is left out: Python writes it
     * beside the sources it compiles and uses it only while they match.
     */
    static String digest(Path directory) throws RunnerException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(f -> !directory.relativize(f).toString().contains("__pycache__"))
                    .sorted().toList()) {
                byte[] name = directory.relativize(file).toString().getBytes(StandardCharsets.UTF_8);
                sha.update(name);
                sha.update((byte) 0);
                try (InputStream in = Files.newInputStream(file)) {
                    byte[] buffer = new byte[8192];
                    long length = 0;
                    for (int n; (n = in.read(buffer)) > 0; length += n) {
                        sha.update(buffer, 0, n);
                    }
                    sha.update(Long.toString(length).getBytes(StandardCharsets.UTF_8));
                }
                sha.update((byte) 0);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new RunnerException(ExitCode.MIGRATION_FAILED, "cannot read the migrations in " + directory + ": "
                    + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Forgets every answer (tests). */
    static void clear() {
        synchronized (ANSWERS) {
            ANSWERS.clear();
        }
    }
}
