package io.dbmigrate.local;

import io.dbmigrate.status.Reasons;
import io.dbmigrate.status.TransitionEvent;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The progress of `dbmigrate run` as a person reads it: one style ("dbmigrate: ..."), Alembic's log lines said
 * plainly, a Python traceback cut to the frame in the user's code and the exception, and no escape codes. The runner
 * writes the same lines a pod logs (key=value records, "alembic: " lines); this stream rewrites them line by line.
 */
public final class LocalProgress extends OutputStream {
    private static final String PREFIX = "dbmigrate: ";
    private static final String ALEMBIC = "alembic: ";
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]|\u001B[@-Z\\\\-_]");
    private static final Pattern LOG = Pattern.compile("^(INFO|WARNING|WARN|ERROR|DEBUG|CRITICAL) +\\[([^]]+)] (.*)$");
    private static final Pattern RUNNING = Pattern.compile("^Running (upgrade|downgrade) (\\S*) -> (\\S+?)(?:, (.*))?$");
    private static final Pattern RECORD = Pattern.compile("^time=\\S+ level=(\\w+) msg=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)(.*)$");
    private static final Pattern PAIR = Pattern.compile(" (\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)");
    private static final Pattern FRAME = Pattern.compile("^ {2}File \"(.*)\", line (\\d+), in (.*)$");
    /** Reasons whose event says what this stream's own lines already said, in cluster words (Job, ConfigMap). */
    private static final Set<String> SAID_OTHERWISE = Set.of(Reasons.JOB_CREATED, Reasons.BACKING_UP,
            Reasons.MIGRATING, Reasons.REHEARSING, Reasons.PLANNING, Reasons.PLAN_PUBLISHED, Reasons.RETRYING,
            Reasons.AWAITING_APPROVAL, Reasons.AWAITING_ROLLOUT, Reasons.AWAITING_WINDOW, Reasons.STAMPING,
            Reasons.LINT_FINDINGS, Reasons.LINT_BLOCKED, Reasons.LINT_UNAVAILABLE);

    private final PrintStream out;
    private final String label;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<String> traceback = new ArrayList<>();

    private LocalProgress(PrintStream out, String label) {
        this.out = out;
        this.label = label;
    }

    /** A stream for the run's progress that writes readable lines to {@code out}. */
    public static PrintStream to(PrintStream out) {
        return to(out, "");
    }

    /**
     * The same, each line starting with {@code label}: the targets of a set run at once on one terminal, and a line
     * must say whose it is.
     */
    public static PrintStream to(PrintStream out, String label) {
        return new PrintStream(new LocalProgress(out, label), true, StandardCharsets.UTF_8);
    }

    /** The line an event of the planner is worth locally, if any. */
    public static Optional<String> event(TransitionEvent event) {
        if (SAID_OTHERWISE.contains(event.reason())) {
            return Optional.empty();
        }
        return Optional.of(PREFIX + event.reason() + ": " + event.message());
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            accept(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void flush() {
        out.flush();
    }

    @Override
    public synchronized void close() {
        if (line.size() > 0) {
            write('\n');
        }
        endTraceback();
        out.flush();
    }

    private void accept(String raw) {
        String text = ANSI.matcher(raw).replaceAll("");
        if (!traceback.isEmpty()) {
            if (text.startsWith(ALEMBIC)) {
                traceback.add(text.substring(ALEMBIC.length()));
                return;
            }
            endTraceback();
        }
        if (text.startsWith(ALEMBIC)) {
            alembic(text.substring(ALEMBIC.length()));
        } else if (RECORD.matcher(text).matches()) {
            record(text);
        } else {
            emit(text);
        }
    }

    private void alembic(String text) {
        if (text.startsWith("Traceback (most recent call last):")) {
            traceback.add(text);
            return;
        }
        Matcher log = LOG.matcher(text);
        if (!log.matches()) {
            if (!text.isBlank()) {
                emit(PREFIX + "alembic: " + text);
            }
            return;
        }
        String level = log.group(1);
        String message = log.group(3);
        if (message.startsWith("Context impl ") || message.startsWith("Will assume ")) {
            return;
        }
        Matcher running = RUNNING.matcher(message);
        if (running.matches()) {
            boolean up = running.group(1).equals("upgrade");
            String revision = up ? running.group(3) : running.group(2);
            emit(PREFIX + (up ? "applying " : "reverting ") + revision
                    + (running.group(4) == null ? "" : " (" + running.group(4) + ")"));
        } else if (level.equals("INFO") || level.equals("DEBUG")) {
            emit(PREFIX + "  " + message);
        } else {
            emit(PREFIX + "alembic " + level.toLowerCase() + ": " + message);
        }
    }

    // time=... level=warn msg="lock_timeout, retrying" attempt=2: the pod's structured record, in the local style.
    private void record(String text) {
        Matcher record = RECORD.matcher(text);
        record.matches();
        List<String> details = new ArrayList<>();
        Matcher pair = PAIR.matcher(record.group(3));
        while (pair.find()) {
            details.add(pair.group(1) + " " + unquote(pair.group(2)));
        }
        String level = record.group(1);
        emit(PREFIX + (level.equals("info") || level.equals("debug") ? "" : level + ": ") + unquote(record.group(2))
                + (details.isEmpty() ? "" : " (" + String.join(", ", details) + ")"));
    }

    private static String unquote(String value) {
        if (!value.startsWith("\"")) {
            return value;
        }
        return value.substring(1, value.length() - 1).replace("\\n", " ").replace("\\r", "").replace("\\t", " ")
                .replace("\\\"", "\"").replace("\\\\", "\\");
    }

    // Forty lines of frames in Alembic, SQLAlchemy and importlib tell a migration's author one thing: which line of
    // theirs raised what. That frame (the last outside the Python installation) and the exception are kept.
    private void endTraceback() {
        if (traceback.isEmpty()) {
            return;
        }
        List<String> lines = List.copyOf(traceback);
        traceback.clear();
        String frame = null;
        String code = null;
        String anyFrame = null;
        String anyCode = null;
        List<String> exception = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i);
            Matcher match = FRAME.matcher(text);
            if (match.matches()) {
                String next = i + 1 < lines.size() && lines.get(i + 1).startsWith("    ") ? lines.get(i + 1).strip() : null;
                String where = match.group(1) + ", line " + match.group(2) + ", in " + match.group(3);
                anyFrame = where;
                anyCode = next;
                if (!library(match.group(1))) {
                    frame = where;
                    code = next;
                }
                exception.clear();
            } else if (!text.startsWith(" ") && !text.isBlank() && !text.startsWith("Traceback (most recent call last)")
                    && !text.startsWith("The above exception was the direct cause") && !text.startsWith("During handling of the")
                    && !text.startsWith("(Background on this error at:")) {
                exception.add(text);
            }
        }
        String shown = frame != null ? frame : anyFrame;
        String shownCode = frame != null ? code : anyCode;
        if (shown != null) {
            emit(PREFIX + "alembic raised in " + shown + (shownCode == null || shownCode.matches("[\\^~ ]+") ? ""
                    : ": " + shownCode));
        }
        for (String text : exception) {
            emit(PREFIX + "  " + text);
        }
        emit(PREFIX + "  (traceback of " + lines.size() + " lines cut to the frame and the exception)");
    }

    // One whole line at once (PrintStream.println holds its lock): targets running together do not cut into each other.
    private void emit(String text) {
        out.println(label + text);
    }

    private static boolean library(String file) {
        return file.startsWith("<") || file.contains("/site-packages/") || file.contains("/dist-packages/")
                || file.matches(".*/lib/python3[.0-9]*/.*") || file.endsWith("/bin/alembic");
    }
}
