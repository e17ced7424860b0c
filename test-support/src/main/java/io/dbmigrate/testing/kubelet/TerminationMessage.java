package io.dbmigrate.testing.kubelet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The kubelet's rules for {@code state.terminated.message}: the first 4096 bytes of the termination message file
 * (with host paths mapped back to the container's);
 * when that is empty, the container failed and its terminationMessagePolicy is FallbackToLogsOnError, the tail of
 * its log (at most 80 lines and 2048 bytes). A successful container with an empty file gets no message, as on a
 * real node, so a test cannot pass on log text the operator would never see.
 */
final class TerminationMessage {

    static final int MAX_FILE_BYTES = 4096;
    static final int MAX_LOG_BYTES = 2048;
    static final String FALLBACK_TO_LOGS_ON_ERROR = "FallbackToLogsOnError";

    private TerminationMessage() {
    }

    /** The message, or null when there is none. */
    static String of(Path resultFile, int exitCode, String policy, List<String> lastLines,
                     UnaryOperator<String> toContainerPaths) throws IOException {
        String fromFile = readAll(resultFile);
        if (!fromFile.isEmpty()) {
            return headBytes(toContainerPaths.apply(fromFile), MAX_FILE_BYTES);
        }
        if (exitCode != 0 && FALLBACK_TO_LOGS_ON_ERROR.equals(policy) && !lastLines.isEmpty()) {
            return tailBytes(toContainerPaths.apply(String.join("\n", lastLines)), MAX_LOG_BYTES);
        }
        return null;
    }

    /** The file, up to a bound: paths are mapped back before the cut, which may shorten the text. */
    private static String readAll(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4 * MAX_FILE_BYTES);
        }
        return decodeLenient(head, 0, head.length);
    }

    /** The first {@code max} bytes of {@code text} in UTF-8, without a broken character at the cut. */
    static String headBytes(String text, int max) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= max ? text : decodeLenient(bytes, 0, max);
    }

    /** The last {@code max} bytes of {@code text} in UTF-8, without a broken character at the cut. */
    static String tailBytes(String text, int max) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= max) {
            return text;
        }
        int start = bytes.length - max;
        while (start < bytes.length && (bytes[start] & 0xC0) == 0x80) {
            start++; // skip continuation bytes of a character cut in half
        }
        return decodeLenient(bytes, start, bytes.length - start);
    }

    private static String decodeLenient(byte[] bytes, int offset, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.IGNORE).onUnmappableCharacter(CodingErrorAction.IGNORE);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return new String(bytes, offset, length, StandardCharsets.UTF_8);
        }
    }
}
