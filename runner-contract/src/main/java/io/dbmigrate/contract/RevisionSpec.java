package io.dbmigrate.contract;

import java.util.regex.Pattern;

/**
 * The Alembic revision specs we pass to {@code alembic upgrade}: {@code head}, {@code heads}, {@code base}, a revision
 * id ({@code ae1027a6acf}, {@code 0001_init}), a branch-qualified one ({@code expand@head}) and relative ones
 * ({@code +2}, {@code ae10+2}, {@code expand@+1}).
 *
 * <p>Deliberately narrow: the value travels from a custom resource into a process argument, so nothing a shell or an
 * argument parser could act on is admitted (spaces, quotes, {@code ;}, {@code $}, backticks, {@code /}, {@code ..},
 * a leading {@code -}). Downgrades ({@code -1}) are not upgrade targets either.
 */
public final class RevisionSpec {

    /**
     * A compile-time constant so it can be used in annotations (CRD validation). It has no look-ahead, so RE2 (the
     * Kubernetes API server's regex engine) accepts it too; the 64-character bound is checked by {@link #validate}
     * and should be declared as a max length next to the pattern.
     */
    public static final String PATTERN =
            "^(?:[A-Za-z0-9_]{1,64}@)?(?:[A-Za-z0-9_]{1,64}(?:\\+[0-9]{1,4})?|\\+[0-9]{1,4})$";

    public static final int MAX_LENGTH = 64;

    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private RevisionSpec() {
    }

    /** Returns the value when it is a valid spec; otherwise BAD_INPUT naming the field. */
    public static String validate(String field, String value) throws RunnerException {
        if (value == null || value.isEmpty()) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " is required (an Alembic revision such as 'head')");
        }
        if (value.length() > MAX_LENGTH) {
            throw new RunnerException(ExitCode.BAD_INPUT,
                    field + " is longer than " + MAX_LENGTH + " characters");
        }
        if (!COMPILED.matcher(value).matches()) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + printable(value)
                    + "' is not an Alembic revision spec (examples: head, heads, base, ae1027a6acf, expand@head, +2)");
        }
        return value;
    }

    /** Whether the value is a valid spec: {@link #validate} without the exception. */
    static boolean isSpec(String value) {
        return value != null && !value.isEmpty() && value.length() <= MAX_LENGTH && COMPILED.matcher(value).matches();
    }

    // The refused value goes into a message; keep control characters out of logs.
    static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        value.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }
}
