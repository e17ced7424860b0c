package io.dbmigrate.testing;

/**
 * One-line {@code event=... key=value} log messages, so a failing CI run can be grepped by pod, job or namespace.
 * Values with spaces, quotes or line breaks are quoted; nothing secret is ever passed in.
 */
public final class LogLine {

    private LogLine() {
    }

    public static String of(String event, Object... keyValues) {
        StringBuilder line = new StringBuilder("event=").append(event);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.append(' ').append(keyValues[i]).append('=').append(quote(keyValues[i + 1]));
        }
        return line.toString();
    }

    private static String quote(Object value) {
        String s = String.valueOf(value);
        boolean plain = !s.isEmpty() && s.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20);
        if (plain) {
            return s;
        }
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + '"';
    }
}
