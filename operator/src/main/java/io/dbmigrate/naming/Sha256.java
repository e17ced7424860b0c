package io.dbmigrate.naming;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The operator's short names and digests: the first bytes of a SHA-256 of a text, in hex. */
public final class Sha256 {

    private Sha256() {
    }

    /** The first {@code bytes} bytes of the SHA-256 of the text's UTF-8, as 2 x bytes hex digits. */
    public static String hex(String text, int bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
