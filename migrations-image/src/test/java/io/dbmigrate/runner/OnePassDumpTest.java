package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one pass with stand-ins for pg_dump and pg_restore: what reaches the file, and when it is synced. */
class OnePassDumpTest {

    private static final long BYTES = 100L << 20;

    @TempDir
    Path tmp;

    @Test
    void aLargeArchiveIsSyncedAsItIsWrittenNotOnlyAtTheEnd() throws Exception {
        Path archive = tmp.resolve("archive");
        try (CountingChannel file = new CountingChannel(FileChannel.open(archive, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE))) {
            OnePassDump.Outcome outcome = OnePassDump.run(List.of("head", "-c", Long.toString(BYTES), "/dev/urandom"),
                    Map.of(), List.of("sh", "-c", "cat > /dev/null"), file);

            assertEquals(0, outcome.dumpExit());
            assertEquals(0, outcome.restoreExit());
            assertEquals(-1, outcome.restoreStoppedAt());
            assertEquals(BYTES, outcome.size());
            assertEquals(BYTES, Files.size(archive));
            assertEquals(sha256(archive), outcome.sha256());
            // 100 MiB in 32 MiB steps: up to three syncs while writing (fewer when one was still running), then the
            // last one; a backup that syncs only at its end syncs once.
            assertTrue(file.forces.get() >= 2 && file.forces.get() <= 4, "syncs: " + file.forces.get());
        }
    }

    private static String sha256(Path p) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** A file channel that counts its syncs. */
    private static final class CountingChannel extends FileChannel {
        private final FileChannel d;
        final AtomicInteger forces = new AtomicInteger();

        CountingChannel(FileChannel delegate) {
            this.d = delegate;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            forces.incrementAndGet();
            d.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return d.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return d.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return d.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return d.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            d.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            d.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return d.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return d.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return d.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return d.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return d.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return d.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
        }
    }
}
