package io.dbmigrate.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Locale;

/**
 * How pg_dump compresses the archive: a method and, optionally, its level (without one, pg_dump's default for the
 * method). Written {@code METHOD[:LEVEL]} on the runner's command line, e.g. {@code zstd:3}.
 *
 * @param method the method; gzip is pg_dump's default
 * @param level  null for the method's default level
 */
public record BackupCompression(Method method, Integer level) {

    /** gzip, as pg_dump compresses a custom-format archive when told nothing. */
    public static final BackupCompression DEFAULT = new BackupCompression(Method.GZIP, null);

    /** pg_dump's methods, with the levels it accepts and the first major version that has them. */
    public enum Method {
        @JsonProperty("gzip") GZIP(1, 9, 0),
        @JsonProperty("lz4") LZ4(1, 12, 16),
        @JsonProperty("zstd") ZSTD(1, 22, 16),
        @JsonProperty("none") NONE(0, 0, 0);

        private final int minLevel;
        private final int maxLevel;
        private final int sincePgDump;

        Method(int minLevel, int maxLevel, int sincePgDump) {
            this.minLevel = minLevel;
            this.maxLevel = maxLevel;
            this.sincePgDump = sincePgDump;
        }

        /** As pg_dump and the resource spell it. */
        public String spelling() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The first pg_dump major version that knows this method (0: every one). */
        public int sincePgDump() {
            return sincePgDump;
        }

        /** What the levels of this method are, for messages. */
        public String levels() {
            return this == NONE ? "takes no level" : "takes a level from " + minLevel + " to " + maxLevel;
        }

        boolean accepts(int level) {
            return this != NONE && level >= minLevel && level <= maxLevel;
        }
    }

    /**
     * {@code METHOD[:LEVEL]}, as {@link #toString} writes it.
     *
     * @throws RunnerException {@link ExitCode#BAD_INPUT} naming {@code field}
     */
    public static BackupCompression parse(String field, String text) throws RunnerException {
        String methodText = text;
        Integer level = null;
        int colon = text.indexOf(':');
        if (colon >= 0) {
            methodText = text.substring(0, colon);
            try {
                level = Integer.valueOf(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + text
                        + "': the level after ':' must be a whole number");
            }
        }
        for (Method m : Method.values()) {
            if (m.spelling().equals(methodText)) {
                BackupCompression compression = new BackupCompression(m, level);
                compression.validate(field);
                return compression;
            }
        }
        throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + text
                + "' is not gzip, lz4, zstd or none (optionally with :LEVEL, e.g. zstd:3)");
    }

    /** A level the method does not take is {@link ExitCode#BAD_INPUT}, naming {@code field}. */
    public void validate(String field) throws RunnerException {
        if (method == null) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + ": a method is required (gzip, lz4, zstd or none)");
        }
        if (level != null && !method.accepts(level)) {
            throw new RunnerException(ExitCode.BAD_INPUT, field + " '" + this + "': " + method.spelling() + " "
                    + method.levels());
        }
    }

    @Override
    public String toString() {
        return method.spelling() + (level == null ? "" : ":" + level);
    }
}
