package io.dbmigrate.runner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * pg_dump's archive written to the backup file, hashed and read back in full by pg_restore, all in one pass: pg_dump
 * writes to a pipe that this class reads, and every chunk goes to the file, into the SHA-256 and to the standard input
 * of {@code pg_restore -f /dev/null} (see {@link ArchiveVerifier}), which decompresses every data block as it comes.
 * Reading the file back afterwards cost a second and a third pass over the archive (a backup took 1.3 to 1.8 times a
 * plain pg_dump). The file holds exactly the bytes pg_restore read and the digest saw.
 *
 * <p>An archive written to a pipe has no data offsets in its table of contents (pg_dump cannot seek back to fill them
 * in): pg_restore reads it front to back, which is what a restore does; a parallel or selective restore of it scans for
 * its blocks instead of seeking straight to them (PostgreSQL 12 and later).
 */
final class OnePassDump {

    /** Chunks between the reader of pg_dump and the writer to pg_restore: enough to ride out a few scheduling hiccups. */
    private static final int QUEUE_CHUNKS = 128;
    private static final int CHUNK_BYTES = 1 << 16;
    private static final long SYNC_BYTES = 32L << 20;
    private static final int MAX_KEPT_LINES = 10_000;
    private static final byte[] END = new byte[0];

    /**
     * What happened. {@code restoreStoppedAt} is the number of bytes pg_restore took before it stopped reading, or -1
     * when it took all of them.
     */
    record Outcome(int dumpExit, List<String> dumpOutput, int restoreExit, List<String> restoreOutput,
                   long restoreStoppedAt, long size, String sha256) {
    }

    private OnePassDump() {
    }

    /**
     * Runs {@code dumpCommand} (which must write the archive to its standard output) with {@code dumpEnvironment}, and
     * {@code restoreCommand} (which must read it from its standard input) with an empty one, and writes the archive to
     * {@code file} from its start, synced to disk before this returns.
     *
     * @throws IOException when a program cannot be started or the file cannot be written; both programs are then ended
     */
    static Outcome run(List<String> dumpCommand, Map<String, String> dumpEnvironment, List<String> restoreCommand,
                       FileChannel file) throws IOException, InterruptedException {
        ProcessBuilder dumpBuilder = new ProcessBuilder(dumpCommand);
        ExternalProcess.childEnvironment(dumpBuilder.environment(), dumpEnvironment);
        ProcessBuilder restoreBuilder = new ProcessBuilder(restoreCommand).redirectErrorStream(true);
        ExternalProcess.childEnvironment(restoreBuilder.environment(), Map.of());

        Process dump = ExternalProcess.start(dumpBuilder);
        Process restore = null;
        Feeder feeder = null;
        Syncer syncer = null;
        try {
            dump.getOutputStream().close(); // nothing to say to it; a prompt must not wait for us
            restore = ExternalProcess.start(restoreBuilder);
            Lines dumpOutput = Lines.collect(dump.getErrorStream(), "pg_dump-stderr");
            Lines restoreOutput = Lines.collect(restore.getInputStream(), "pg_restore-output");
            feeder = new Feeder(restore.getOutputStream());
            feeder.start();

            syncer = new Syncer(file);
            syncer.start();
            MessageDigest digest = sha256();
            long size = 0;
            file.truncate(0);
            file.position(0);
            InputStream archive = dump.getInputStream();
            for (byte[] chunk = new byte[CHUNK_BYTES]; ; chunk = new byte[CHUNK_BYTES]) {
                int n = archive.readNBytes(chunk, 0, CHUNK_BYTES);
                if (n == 0) {
                    break;
                }
                ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
                while (buffer.hasRemaining()) {
                    file.write(buffer);
                }
                digest.update(chunk, 0, n);
                feeder.give(n == CHUNK_BYTES ? chunk : Arrays.copyOf(chunk, n));
                size += n;
                syncer.written(size);
            }
            feeder.give(END);
            syncer.finish();
            // pg_dump -f syncs its file before it exits (unless --no-sync): so does this one, before it is renamed.
            file.force(true);
            if (file.size() != size) {
                throw new IOException("the file has " + file.size() + " bytes, " + size + " were written to it");
            }
            int dumpExit = dump.waitFor();
            ExternalProcess.checkNotStopped(dump, dumpExit);
            int restoreExit = restore.waitFor();
            ExternalProcess.checkNotStopped(restore, restoreExit);
            feeder.join();
            return new Outcome(dumpExit, dumpOutput.lines(), restoreExit, restoreOutput.lines(),
                    feeder.stoppedAt, size, HexFormat.of().formatHex(digest.digest()));
        } finally {
            ExternalProcess.end(dump);
            if (restore != null) {
                ExternalProcess.end(restore);
            }
            if (feeder != null && feeder.isAlive()) {
                feeder.interrupt();
            }
            if (syncer != null && syncer.isAlive()) {
                syncer.interrupt();
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Hands the chunks to pg_restore on its own thread, so that the file and the digest never wait for it. Once
     * pg_restore stops reading (it failed, or it needed no more), the rest is taken and dropped: pg_dump must still be
     * read to its end, and its exit code and the file decide what the run was.
     */
    private static final class Feeder extends Thread {
        private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
        private final OutputStream restoreInput;
        private volatile long stoppedAt = -1;

        Feeder(OutputStream restoreInput) {
            super("pg_restore-input");
            setDaemon(true);
            this.restoreInput = restoreInput;
        }

        void give(byte[] chunk) throws InterruptedException {
            queue.put(chunk);
        }

        @Override
        public void run() {
            long delivered = 0;
            boolean open = true;
            try {
                for (byte[] chunk = queue.take(); chunk != END; chunk = queue.take()) {
                    if (!open) {
                        continue;
                    }
                    try {
                        restoreInput.write(chunk);
                        restoreInput.flush();
                        delivered += chunk.length;
                    } catch (IOException e) {
                        open = false;
                        stoppedAt = delivered;
                    }
                }
            } catch (InterruptedException e) {
                // the run is being abandoned; the finally below closes the pipe
            } finally {
                try {
                    restoreInput.close(); // end of the archive: pg_restore sees end of file
                } catch (IOException e) {
                    // it is gone already; its exit code tells
                }
            }
        }
    }

    /**
     * Syncs the file every {@link #SYNC_BYTES} while pg_dump still writes, on a thread of its own, so that the sync
     * the backup ends with has little left to write (it took about 70 ms for a 160 MB archive, now about 15 ms), and so
     * that dirty pages, which count against the pod's memory limit, never pile up for a large database. A failure here
     * is left to that last sync, which reports it.
     */
    private static final class Syncer extends Thread {
        private final FileChannel file;
        private final Semaphore due = new Semaphore(0);
        private volatile boolean finished;
        private long askedAt;

        Syncer(FileChannel file) {
            super("backup-sync");
            setDaemon(true);
            this.file = file;
        }

        /** {@code size} bytes are written now; called by the writing thread only. */
        void written(long size) {
            if (size - askedAt >= SYNC_BYTES) {
                askedAt = size;
                due.release();
            }
        }

        void finish() throws InterruptedException {
            finished = true;
            due.release();
            join();
        }

        @Override
        public void run() {
            try {
                while (true) {
                    due.acquire();
                    due.drainPermits(); // one sync covers every request made while the last one ran
                    if (finished) {
                        return;
                    }
                    try {
                        file.force(false);
                    } catch (IOException e) {
                        // the last sync tells
                    }
                }
            } catch (InterruptedException e) {
                // the run is being abandoned
            }
        }
    }

    /** A child's output lines, read on their own thread (kept, up to a bound, for the error message). */
    private static final class Lines {
        private final List<String> kept = new ArrayList<>();
        private final Thread thread;

        private Lines(InputStream in, String name) {
            thread = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        synchronized (kept) {
                            if (kept.size() < MAX_KEPT_LINES) {
                                kept.add(line);
                            }
                        }
                    }
                } catch (IOException e) {
                    // the process is gone; its exit code tells
                }
            }, name);
            thread.setDaemon(true);
        }

        static Lines collect(InputStream in, String name) {
            Lines lines = new Lines(in, name);
            lines.thread.start();
            return lines;
        }

        List<String> lines() throws InterruptedException {
            thread.join();
            synchronized (kept) {
                return List.copyOf(kept);
            }
        }
    }
}
