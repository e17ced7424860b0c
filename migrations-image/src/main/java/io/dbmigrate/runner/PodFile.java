package io.dbmigrate.runner;

import io.dbmigrate.contract.RunnerJson;
import io.dbmigrate.contract.RunnerResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A file a pod's containers hand each other in /tmp, the emptyDir they share: rehearse leaves its result there for
 * {@code upgrade --window-closes-at} (the measured duration), backup for {@code upgrade --expect-backup} (the
 * revision).
 *
 * @param what what the file holds, for a warning
 */
record PodFile(String what, Path path) {

    static final String REHEARSAL_FILE_VARIABLE = "DBMIGRATE_REHEARSAL_FILE";
    static final String DEFAULT_REHEARSAL_FILE = "/tmp/dbmigrate-rehearsal.json";
    static final String BACKUP_FILE_VARIABLE = "DBMIGRATE_BACKUP_FILE";
    static final String DEFAULT_BACKUP_FILE = "/tmp/dbmigrate-backup.json";

    static PodFile rehearsal(Map<String, String> env) {
        return new PodFile("rehearsal", locate(env, REHEARSAL_FILE_VARIABLE, DEFAULT_REHEARSAL_FILE));
    }

    static PodFile backup(Map<String, String> env) {
        return new PodFile("backup", locate(env, BACKUP_FILE_VARIABLE, DEFAULT_BACKUP_FILE));
    }

    /**
     * In a pod, /tmp is the emptyDir its containers share. Where TMPDIR names another folder (a process on a host, as
     * the test kubelet runs containers), the file goes there: a host's /tmp is shared by everything on it, and a
     * rehearsal of one pod must never be read by another.
     */
    private static Path locate(Map<String, String> env, String variable, String fallback) {
        String configured = env.get(variable);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        String tmp = env.get("TMPDIR");
        return tmp == null || tmp.isBlank() ? Path.of(fallback)
                : Path.of(tmp.trim()).resolve(Path.of(fallback).getFileName());
    }

    /** Also after a failure: the file then says why, and holds nothing the upgrade could use. */
    void write(String json, PrintStream err) {
        try {
            Files.write(path, json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            err.println(KeyValueLog.line("warn", "cannot write the " + what + " file", "path", path,
                    "error", e.toString()));
        }
    }

    /** @throws IllegalArgumentException when the file holds no runner result */
    RunnerResult read() throws IOException {
        return RunnerJson.read(Files.readString(path));
    }
}
