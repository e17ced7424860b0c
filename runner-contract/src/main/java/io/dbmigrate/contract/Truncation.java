package io.dbmigrate.contract;

/** Shortening texts for messages without splitting a character. */
public final class Truncation {

    public static final String ELLIPSIS = "…";

    private Truncation() {
    }

    /** At most {@code maxChars} characters (UTF-16 units), ending in an ellipsis when something was cut. */
    public static String truncate(String s, int maxChars) {
        if (s == null || s.length() <= maxChars) {
            return s;
        }
        if (maxChars <= ELLIPSIS.length()) {
            return ELLIPSIS.substring(0, Math.max(0, maxChars));
        }
        int end = maxChars - ELLIPSIS.length();
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + ELLIPSIS;
    }
}
