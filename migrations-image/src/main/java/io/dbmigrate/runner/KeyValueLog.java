package io.dbmigrate.runner;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One-line {@code key=value} log records ({@code time=... level=info msg="backup finished" file=...}), the format
 * Kubernetes log tooling (and grep) splits without a JSON parser. Values with spaces, quotes or '=' are quoted.
 */
final class KeyValueLog {

    private KeyValueLog() {
    }

    static String line(String level, String msg, Object... keyValues) {
        StringBuilder sb = new StringBuilder();
        sb.append("time=").append(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        sb.append(" level=").append(level);
        sb.append(" msg=").append(value(msg));
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            sb.append(' ').append(keyValues[i]).append('=').append(value(keyValues[i + 1]));
        }
        return sb.toString();
    }

    private static String value(Object o) {
        String s = String.valueOf(o);
        boolean plain = !s.isEmpty() && s.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '=' || c == '\\');
        if (plain) {
            return s;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
