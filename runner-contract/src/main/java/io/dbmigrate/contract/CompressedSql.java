package io.dbmigrate.contract;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * SQL as it travels in a {@link PlanResult}: UTF-8, gzipped, base64. SQL compresses about tenfold, which is what makes
 * a useful part of it fit in a 4096-byte termination message. Decode with {@code base64 -d | gunzip}.
 */
public final class CompressedSql {

    private CompressedSql() {
    }

    public static String encode(String sql) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(sql.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /** @throws UncheckedIOException when the text is not gzip+base64 (a result written by something else) */
    public static String decode(String encoded) {
        try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(encoded)))) {
            return new String(gzip.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("the plan's SQL is not gzip+base64", e);
        } catch (IllegalArgumentException e) {
            throw new UncheckedIOException("the plan's SQL is not gzip+base64", new IOException(e));
        }
    }

    /** The first {@code n} lines of {@code sql}, each with its line break. */
    static String firstLines(String sql, int n) {
        int end = 0;
        for (int i = 0; i < n && end < sql.length(); i++) {
            int nl = sql.indexOf('\n', end);
            end = nl < 0 ? sql.length() : nl + 1;
        }
        return sql.substring(0, end);
    }

    /** How many lines {@link #firstLines} can return: a last line without a break counts. */
    static int lineCount(String sql) {
        int lines = 0;
        for (int i = 0; i < sql.length(); i++) {
            if (sql.charAt(i) == '\n') {
                lines++;
            }
        }
        return sql.isEmpty() || sql.endsWith("\n") ? lines : lines + 1;
    }
}
