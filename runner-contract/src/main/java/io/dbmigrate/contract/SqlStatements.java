package io.dbmigrate.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * The statements of a SQL text, split at the semicolons PostgreSQL (and pgjdbc, which splits before sending) would
 * split it at: not inside {@code '...'} strings ({@code ''} escapes, backslash escapes in {@code E'...'} strings and,
 * with standard_conforming_strings off, in plain ones), {@code "..."} identifiers, {@code $tag$...$tag$} dollar quotes,
 * {@code --} line comments or {@code /* *}{@code /} comments (which nest).
 *
 * <p>Where a reading is doubtful it errs towards more statements, never fewer: a dollar sign right after a letter,
 * digit, underscore or dollar is part of a name or parameter ({@code a$b$}, {@code $1}), not the start of a quote.
 */
public final class SqlStatements {

    /**
     * @param statements   the statements with more than white space and comments, each stripped, without its ';'
     * @param unterminated what was left open at the end, e.g. "a '...' string"; null when nothing was
     */
    public record Split(List<String> statements, String unterminated) {
        public int count() {
            return statements.size();
        }
    }

    private SqlStatements() {
    }

    /**
     * @param standardConformingStrings PostgreSQL's setting of that name: on (the default since 9.1), backslashes
     *                                  escape only in {@code E'...'} strings; off, in every string
     */
    public static Split split(String sql, boolean standardConformingStrings) {
        List<String> statements = new ArrayList<>();
        int n = sql.length();
        int start = 0;
        boolean content = false;
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            char next = i + 1 < n ? sql.charAt(i + 1) : '\0';
            if (c == ';') {
                if (content) {
                    statements.add(sql.substring(start, i).strip());
                }
                start = i + 1;
                content = false;
                i++;
            } else if (c == '-' && next == '-') {
                i = endOfLineComment(sql, i + 2);
            } else if (c == '/' && next == '*') {
                i = endOfBlockComment(sql, i + 2);
                if (i < 0) {
                    return open(statements, "a /* comment");
                }
            } else if (whitespace(c)) {
                i++;
            } else {
                content = true;
                if (c == '\'') {
                    i = endOfQuoted(sql, i + 1, '\'', !standardConformingStrings || escapePrefix(sql, i));
                    if (i < 0) {
                        return open(statements, "a '...' string");
                    }
                } else if (c == '"') {
                    i = endOfQuoted(sql, i + 1, '"', false);
                    if (i < 0) {
                        return open(statements, "a \"...\" identifier");
                    }
                } else if (c == '$' && (i == 0 || !identifierChar(sql.charAt(i - 1)))) {
                    String tag = dollarTag(sql, i);
                    if (tag == null) {
                        i++;
                    } else {
                        int close = sql.indexOf(tag, i + tag.length());
                        if (close < 0) {
                            return open(statements, "a " + tag + "..." + tag + " dollar quote");
                        }
                        i = close + tag.length();
                    }
                } else {
                    i++;
                }
            }
        }
        if (content) {
            statements.add(sql.substring(start).strip());
        }
        return new Split(List.copyOf(statements), null);
    }

    // An unterminated quote or comment takes the rest of the text: PostgreSQL refuses it whole.
    private static Split open(List<String> statements, String what) {
        return new Split(List.copyOf(statements), what);
    }

    private static int endOfLineComment(String sql, int from) {
        int i = from;
        while (i < sql.length() && sql.charAt(i) != '\n' && sql.charAt(i) != '\r') {
            i++;
        }
        return i;
    }

    /** Just after the comment's closing, or -1. */
    private static int endOfBlockComment(String sql, int from) {
        int depth = 1;
        int i = from;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            char next = i + 1 < sql.length() ? sql.charAt(i + 1) : '\0';
            if (c == '/' && next == '*') {
                depth++;
                i += 2;
            } else if (c == '*' && next == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return -1;
    }

    /**
     * Just after the closing quote, or -1; {@code from} is just after the opening one. A doubled quote stands for
     * itself, in strings ('') as in identifiers (""); a backslash escapes only in strings that take it.
     */
    private static int endOfQuoted(String sql, int from, char quote, boolean backslashEscapes) {
        int i = from;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\' && backslashEscapes) {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return -1;
    }

    // E'...' (or e'...'), where the E starts a token rather than ending a name such as "some_e".
    private static boolean escapePrefix(String sql, int quote) {
        if (quote == 0) {
            return false;
        }
        char e = sql.charAt(quote - 1);
        return (e == 'E' || e == 'e') && (quote == 1 || !identifierChar(sql.charAt(quote - 2)));
    }

    /** {@code $$} or {@code $tag$} starting at {@code dollar}; null when what follows is not a tag. */
    private static String dollarTag(String sql, int dollar) {
        int i = dollar + 1;
        if (i < sql.length() && sql.charAt(i) != '$' && !tagStart(sql.charAt(i))) {
            return null;
        }
        while (i < sql.length() && sql.charAt(i) != '$') {
            if (!tagStart(sql.charAt(i)) && !(sql.charAt(i) >= '0' && sql.charAt(i) <= '9')) {
                return null;
            }
            i++;
        }
        return i < sql.length() ? sql.substring(dollar, i + 1) : null;
    }

    // PostgreSQL's: other Unicode spaces are name characters to it, so they count as content here.
    private static boolean whitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean tagStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    // Letters, digits, '_', '$' and anything non-ASCII: what PostgreSQL's names (and numbers, parameters) are made of.
    private static boolean identifierChar(char c) {
        return tagStart(c) || (c >= '0' && c <= '9') || c == '$';
    }
}
