package io.dbmigrate.validate;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigration;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.GateSpec;
import io.dbmigrate.api.v1alpha1.JobTemplateSpec;
import io.dbmigrate.api.v1alpha1.KubernetesNames;
import io.dbmigrate.api.v1alpha1.MigrationsSpec;
import io.dbmigrate.api.v1alpha1.SafetySpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import io.dbmigrate.api.v1alpha1.VerifyQuerySpec;
import io.dbmigrate.api.v1alpha1.WindowGate;
import io.dbmigrate.contract.Durations;
import io.dbmigrate.contract.LockMode;
import io.dbmigrate.contract.PlanRequest;
import io.dbmigrate.contract.RevisionSpec;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.contract.SchemaName;
import io.dbmigrate.contract.VerifyQuery;
import io.dbmigrate.decide.Gates;
import io.dbmigrate.decide.MaintenanceWindow;
import io.dbmigrate.decide.StampRequests;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The CRD's schema rules, checked again in code: an API server without CRD validation (the test mock, an old
 * cluster) and local mode must refuse what the schema refuses, with a message that names the field.
 */
public final class SpecValidator {
    private static final Pattern REVISION = Pattern.compile(RevisionSpec.PATTERN);
    private static final int LINT_RULE_MAX_LENGTH = 100;
    private static final Pattern HOST = Pattern.compile(DatabaseSpec.HOST_PATTERN);
    private static final Pattern DATABASE_NAME = Pattern.compile(DatabaseSpec.NAME_PATTERN);
    private static final Pattern SECRET_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
    private static final Pattern PATH = Pattern.compile("^/[A-Za-z0-9._/-]*$");
    private static final Pattern STEP_NAME = Pattern.compile(StepSpec.NAME_PATTERN);
    private static final Pattern SUBDOMAIN = Pattern.compile(KubernetesNames.SUBDOMAIN);
    private static final Pattern IMAGE = Pattern.compile(KubernetesNames.IMAGE);
    private static final Pattern TEXT = Pattern.compile(KubernetesNames.TEXT);
    // The field names of a problem, wherever they stand ("... when spec.backup.mode is Required"), but never in a quoted
    // value (group 1, kept as it is) nor spec.database: a set's template has none, that is each target's.
    private static final Pattern SPEC_FIELD = Pattern.compile("(\"(?:[^\"\\\\]|\\\\.)*\")|(?<![\\w.])spec\\.(?!database\\b)");

    private SpecValidator() {
    }

    public static final int MAX_NAME_LENGTH = 63;
    // Step names or a revision: a few hundred characters at most.
    private static final int ANNOTATION_MAX_LENGTH = 1024;

    /** Every problem of the spec, each naming its field; empty when the spec is valid. */
    public static List<String> problems(DatabaseMigrationSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec == null) {
            problems.add("spec is required");
            return problems;
        }
        database("spec.database", spec.database(), problems);
        allButDatabase(spec, problems);
        return problems;
    }

    /**
     * A DatabaseMigrationSet's template: every rule of a spec but its database's (each target gives one), the fields
     * named under spec.template.
     */
    public static List<String> templateProblems(DatabaseMigrationSpec template) {
        List<String> problems = new ArrayList<>();
        allButDatabase(template, problems);
        return problems.stream().map(problem -> SPEC_FIELD.matcher(problem)
                .replaceAll(m -> m.group(1) != null ? Matcher.quoteReplacement(m.group(1)) : "spec.template.")).toList();
    }

    private static void allButDatabase(DatabaseMigrationSpec spec, List<String> problems) {
        migrations(spec.migrations(), problems);
        if (spec.steps() != null && spec.targetRevision() != null) {
            problems.add("spec.targetRevision and spec.steps: set one, not both (steps carry their own targetRevision)");
        } else if (spec.steps() != null) {
            steps(spec.steps(), problems);
        } else if (spec.targetRevision() == null || spec.targetRevision().isBlank()) {
            problems.add("spec.targetRevision is required (or spec.steps)");
        } else {
            revision("spec.targetRevision", spec.targetRevision(), problems);
        }
        backup(spec.backupOrDefault(), problems);
        safety(spec.safetyOrDefault(), problems);
        verify("spec.verify", spec.verifyOrEmpty(), problems);
        verifyNamesAcrossSteps(spec, problems);
        if (spec.backoffLimit() != null && (spec.backoffLimit() < 0 || spec.backoffLimit() > 10)) {
            problems.add("spec.backoffLimit: must be between 0 and 10, got " + spec.backoffLimit());
        }
        JobTemplateSpec template = spec.jobTemplateOrDefault();
        if (template.activeDeadlineSeconds() != null && template.activeDeadlineSeconds() < 1) {
            problems.add("spec.jobTemplate.activeDeadlineSeconds: must be at least 1, got " + template.activeDeadlineSeconds());
        }
        JobTemplateValidator.validate(template, problems);
        rehearsal(spec, problems);
        if (spec.baseline() != null) {
            revision("spec.baseline", spec.baseline(), problems);
        }
        if (spec.historyLimit() != null && (spec.historyLimit() < 0 || spec.historyLimit() > 100)) {
            problems.add("spec.historyLimit: must be between 0 and 100, got " + spec.historyLimit());
        }
    }

    // A rehearsal restores the step's backup: without one there is nothing to restore.
    private static void rehearsal(DatabaseMigrationSpec spec, List<String> problems) {
        boolean backups = spec.backupOrDefault().modeOrDefault() == BackupSpec.BackupMode.Required;
        boolean any = false;
        for (StepSpec step : spec.stepsOrSingle()) {
            if (step != null && step.name() != null && spec.rehearsalOf(step).required()) {
                any = true;
            }
        }
        if (any && !backups) {
            problems.add("spec.rehearsal: a rehearsal restores the step's backup, so it needs spec.backup.mode Required");
        }
        lockBudgets(spec, any, problems);
        if (spec.rehearsal() != null && spec.rehearsal().database() != null) {
            database("spec.rehearsal.database", spec.rehearsal().database(), problems);
            if (spec.rehearsal().database().schema() != null) {
                // Only a server and a login there: the copy is migrated in spec.database's schema.
                problems.add("spec.rehearsal.database.schema: the copy is migrated in spec.database.schema;"
                        + " leave it out here");
            }
        }
    }

    // A lock budget is checked on the rehearsal's lock profile: one where nothing rehearses would be silently unused.
    private static void lockBudgets(DatabaseMigrationSpec spec, boolean anyRehearses, List<String> problems) {
        if (spec.rehearsal() != null && spec.rehearsal().maxLockHold() != null) {
            lockBudget("spec.rehearsal.maxLockHold", spec.rehearsal().maxLockHold(), problems);
            if (!spec.rehearsal().maxLockHold().isEmpty() && !anyRehearses) {
                problems.add("spec.rehearsal.maxLockHold: a lock budget is checked in a rehearsal, and no step "
                        + "rehearses (set spec.rehearsal.mode Required)");
            }
        }
        if (spec.steps() == null) {
            return;
        }
        for (int i = 0; i < spec.steps().size(); i++) {
            StepSpec step = spec.steps().get(i);
            if (step == null || step.rehearsal() == null || step.rehearsal().maxLockHold() == null) {
                continue;
            }
            String field = "spec.steps[" + i + "].rehearsal.maxLockHold";
            lockBudget(field, step.rehearsal().maxLockHold(), problems);
            if (!step.rehearsal().maxLockHold().isEmpty() && step.name() != null && !spec.rehearsalOf(step).required()) {
                problems.add(field + ": a lock budget is checked in a rehearsal, and this step does not rehearse");
            }
        }
    }

    private static void lockBudget(String field, Map<String, String> budget, List<String> problems) {
        for (Map.Entry<String, String> entry : budget.entrySet()) {
            String key = entry.getKey();
            if (LockMode.of(key).isEmpty()) {
                problems.add(field + ": \"" + printable(key) + "\" is not a lock mode (one of "
                        + Arrays.stream(LockMode.values()).map(LockMode::name).collect(Collectors.joining(", ")) + ")");
                continue;
            }
            String modeField = field + "." + key;
            if (entry.getValue() == null) {
                problems.add(modeField + ": a duration is required (e.g. 500ms, 2s)");
                continue;
            }
            Duration hold = duration(modeField, entry.getValue(), problems);
            if (hold != null && hold.isZero()) {
                problems.add(modeField + ": must be longer than 0 (leave the mode out for no budget)");
            }
        }
    }

    /** The spec's problems, and the resource name's: it labels the Jobs and pods, and a label value has 63 at most. */
    public static List<String> problems(DatabaseMigration resource) {
        List<String> problems = new ArrayList<>();
        String name = resource.getMetadata() == null ? null : resource.getMetadata().getName();
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            problems.add("metadata.name: at most " + MAX_NAME_LENGTH + " characters for a DatabaseMigration (it is the "
                    + "dbmigrate.io/migration label of its Jobs and pods), got " + name.length());
        }
        // The CRD cannot check annotations: what they ask for reaches status, Events and Job args.
        Map<String, String> annotations = resource.getMetadata() == null ? null : resource.getMetadata().getAnnotations();
        annotations(annotations, List.of(Gates.APPROVE_ANNOTATION, StampRequests.STAMP_ANNOTATION), problems);
        problems.addAll(problems(resource.getSpec()));
        return problems;
    }

    /** The annotations among {@code keys} that are not one line of at most 1024 characters. */
    public static void annotations(Map<String, String> annotations, List<String> keys, List<String> problems) {
        for (String key : keys) {
            String value = annotations == null ? null : annotations.get(key);
            if (value != null && (value.length() > ANNOTATION_MAX_LENGTH || value.chars().anyMatch(Character::isISOControl))) {
                problems.add("metadata.annotations[" + key + "]: \"" + printable(value) + "\" must be one line without control "
                        + "characters, at most " + ANNOTATION_MAX_LENGTH);
            }
        }
    }

    private static void revision(String field, String revision, List<String> problems) {
        if (revision.length() > RevisionSpec.MAX_LENGTH || !REVISION.matcher(revision).matches()) {
            problems.add(field + ": \"" + printable(revision)
                    + "\" is not an Alembic revision spec (head, a revision id, branch@head, +N)");
        }
    }

    private static void steps(List<StepSpec> steps, List<String> problems) {
        if (steps.isEmpty() || steps.size() > 10) {
            problems.add("spec.steps: between 1 and 10 steps, got " + steps.size());
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < steps.size(); i++) {
            StepSpec step = steps.get(i);
            String field = "spec.steps[" + i + "]";
            if (step.name() == null || step.name().isBlank()) {
                problems.add(field + ".name is required");
            } else if (step.name().length() > StepSpec.NAME_MAX_LENGTH || !STEP_NAME.matcher(step.name()).matches()) {
                problems.add(field + ".name: \"" + printable(step.name()) + "\" must be lowercase letters, digits and dashes, at most "
                        + StepSpec.NAME_MAX_LENGTH);
            } else if (!names.add(step.name())) {
                problems.add(field + ".name: \"" + step.name() + "\" is used by an earlier step");
            }
            if (step.targetRevision() == null || step.targetRevision().isBlank()) {
                problems.add(field + ".targetRevision is required");
            } else {
                revision(field + ".targetRevision", step.targetRevision(), problems);
            }
            GateSpec gate = step.gate();
            if (gate != null && gate.deploymentRollout() != null
                    && (gate.deploymentRollout().name() == null || gate.deploymentRollout().name().isBlank())) {
                problems.add(field + ".gate.deploymentRollout.name is required");
            } else if (gate != null && gate.deploymentRollout() != null) {
                subdomain(field + ".gate.deploymentRollout.name", gate.deploymentRollout().name(), "Deployment", problems);
            }
            if (gate != null && gate.window() != null) {
                WindowGate w = gate.window();
                for (String problem : MaintenanceWindow.problems(w.schedule(), w.duration(), w.timeZone())) {
                    problems.add(field + "." + problem);
                }
            }
            verify(field + ".verify", step.verifyOrEmpty(), problems);
        }
    }

    // A step runs spec.verify and its own as one list: a name in both would be ambiguous in status.
    private static void verifyNamesAcrossSteps(DatabaseMigrationSpec spec, List<String> problems) {
        Set<String> shared = new HashSet<>();
        spec.verifyOrEmpty().forEach(query -> shared.add(query.name()));
        List<StepSpec> steps = spec.steps() == null ? List.of() : spec.steps();
        for (int i = 0; i < steps.size(); i++) {
            List<VerifyQuerySpec> own = steps.get(i) == null ? List.of() : steps.get(i).verifyOrEmpty();
            for (int j = 0; j < own.size(); j++) {
                if (own.get(j).name() != null && shared.contains(own.get(j).name())) {
                    problems.add("spec.steps[" + i + "].verify[" + j + "].name: \"" + printable(own.get(j).name())
                            + "\" is used by spec.verify too");
                }
            }
        }
    }

    private static void subdomain(String field, String value, String kind, List<String> problems) {
        if (value.length() > KubernetesNames.SUBDOMAIN_MAX_LENGTH || !SUBDOMAIN.matcher(value).matches()) {
            problems.add(field + ": \"" + printable(value) + "\" is not a " + kind + " name (lowercase letters, digits, '-' "
                    + "and '.', at most " + KubernetesNames.SUBDOMAIN_MAX_LENGTH + ")");
        }
    }

    private static void safety(SafetySpec safety, List<String> problems) {
        duration("spec.safety.lockTimeout", safety.lockTimeout(), problems);
        duration("spec.safety.statementTimeout", safety.statementTimeout(), problems);
        if (safety.lockRetries() != null && (safety.lockRetries() < 0 || safety.lockRetries() > 100)) {
            problems.add("spec.safety.lockRetries: must be between 0 and 100, got " + safety.lockRetries());
        }
        List<String> ignore = safety.lintOrDefault().ignoreOrEmpty();
        for (int i = 0; i < ignore.size(); i++) {
            String rule = ignore.get(i);
            if (rule == null || rule.length() > LINT_RULE_MAX_LENGTH || !PlanRequest.LINT_RULE.matcher(rule).matches()) {
                problems.add("spec.safety.lint.ignore[" + i + "]: \"" + printable(String.valueOf(rule)) + "\" is not a "
                        + "squawk rule name (lowercase letters, digits and dashes, e.g. "
                        + "require-concurrent-index-creation)");
            }
        }
    }

    /** The duration, or null when there is none or it is a problem (added to problems). */
    private static Duration duration(String field, String value, List<String> problems) {
        if (value == null) {
            return null;
        }
        try {
            return Durations.parse(field, value);
        } catch (RunnerException e) {
            problems.add(field + ": " + printable(e.getMessage()));
            return null;
        }
    }

    private static void verify(String field, List<VerifyQuerySpec> queries, List<String> problems) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < queries.size(); i++) {
            VerifyQuerySpec query = queries.get(i);
            String at = field + "[" + i + "]";
            if (!VerifyQuery.validName(query.name())) {
                problems.add(at + ".name: \"" + printable(String.valueOf(query.name()))
                        + "\" must be lowercase letters, digits and dashes, at most " + VerifyQuery.NAME_MAX_LENGTH);
            } else if (!names.add(query.name())) {
                problems.add(at + ".name: \"" + query.name() + "\" is used twice");
            }
            if (query.sql() == null || query.sql().isBlank()) {
                problems.add(at + ".sql is required");
            } else {
                // The runner refuses the same (its --verify): several statements could leave the read-only transaction.
                String problem = VerifyQuery.statementProblem(query.sql());
                if (problem != null) {
                    problems.add(at + ".sql: " + problem);
                }
            }
        }
    }

    /** The problems of a database given at {@code field}: a DatabaseMigration's, or a DatabaseMigrationSet target's. */
    public static void database(String field, DatabaseSpec database, List<String> problems) {
        if (database == null) {
            problems.add(field + " is required");
            return;
        }
        if (database.host() == null || database.host().isBlank()) {
            problems.add(field + ".host is required");
        } else if (!HOST.matcher(database.host()).matches()) {
            problems.add(field + ".host: \"" + printable(database.host()) + "\" is not a host name or IP address");
        }
        if (database.port() != null && (database.port() < 1 || database.port() > 65535)) {
            problems.add(field + ".port: must be between 1 and 65535, got " + database.port());
        }
        if (database.name() == null || database.name().isBlank()) {
            problems.add(field + ".name is required");
        } else if (!DATABASE_NAME.matcher(database.name()).matches()) {
            problems.add(field + ".name: \"" + printable(database.name()) + "\" is not a database name this operator accepts");
        }
        if (database.credentialsSecret() == null) {
            problems.add(field + ".credentialsSecret is required");
        } else if (database.credentialsSecret().name() == null || database.credentialsSecret().name().isBlank()) {
            problems.add(field + ".credentialsSecret.name is required");
        } else if (!SECRET_NAME.matcher(database.credentialsSecret().name()).matches()) {
            problems.add(field + ".credentialsSecret.name: \"" + printable(database.credentialsSecret().name())
                    + "\" is not a Secret name");
        }
        if (database.schema() != null) {
            String problem = SchemaName.problem(database.schema());
            if (problem != null) {
                // SchemaName bounds the name it echoes; only control characters are left to replace.
                problems.add(field + ".schema: " + problem.replaceAll("\\p{Cntrl}", "?"));
            }
        }
    }

    private static void migrations(MigrationsSpec migrations, List<String> problems) {
        if (migrations == null) {
            problems.add("spec.migrations is required");
            return;
        }
        if (migrations.image() == null || migrations.image().isBlank()) {
            problems.add("spec.migrations.image is required");
        } else if (migrations.image().chars().anyMatch(Character::isWhitespace)) {
            problems.add("spec.migrations.image: must not contain white space");
        } else if (migrations.image().length() > KubernetesNames.IMAGE_MAX_LENGTH || !IMAGE.matcher(migrations.image()).matches()) {
            problems.add("spec.migrations.image: \"" + printable(migrations.image()) + "\" is not an image reference (letters, "
                    + "digits and . _ - / : @ +, at most " + KubernetesNames.IMAGE_MAX_LENGTH + ")");
        }
        if (migrations.path() != null && !PATH.matcher(migrations.path()).matches()) {
            problems.add("spec.migrations.path: \"" + printable(migrations.path()) + "\" is not an absolute path");
        } else if (migrations.path() != null && migrations.path().contains("..")) {
            problems.add("spec.migrations.path: must not contain ..");
        }
    }

    private static void backup(BackupSpec backup, List<String> problems) {
        if (backup.retain() != null && (backup.retain() < 1 || backup.retain() > 100)) {
            problems.add("spec.backup.retain: must be between 1 and 100, got " + backup.retain());
        }
        if (backup.reason() != null && (backup.reason().length() > BackupSpec.REASON_MAX_LENGTH
                || !TEXT.matcher(backup.reason()).matches())) {
            problems.add("spec.backup.reason: \"" + printable(backup.reason()) + "\" must be text without control characters "
                    + "(tab and newline allowed), at most " + BackupSpec.REASON_MAX_LENGTH);
        }
        if (backup.compression() != null) {
            try {
                backup.runnerCompression().validate("spec.backup.compression");
            } catch (RunnerException e) {
                problems.add(e.getMessage());
            }
        }
        if (backup.modeOrDefault() == BackupSpec.BackupMode.Disabled) {
            if (backup.reason() == null || backup.reason().isBlank()) {
                problems.add("spec.backup.reason is required when spec.backup.mode is Disabled");
            }
            return;
        }
        if (backup.volume() == null || backup.volume().persistentVolumeClaim() == null) {
            problems.add("spec.backup.volume.persistentVolumeClaim is required when spec.backup.mode is Required");
        } else if (backup.volume().persistentVolumeClaim().claimName() == null
                || backup.volume().persistentVolumeClaim().claimName().isBlank()) {
            problems.add("spec.backup.volume.persistentVolumeClaim.claimName is required");
        } else {
            subdomain("spec.backup.volume.persistentVolumeClaim.claimName", backup.volume().persistentVolumeClaim().claimName(),
                    "PersistentVolumeClaim", problems);
        }
    }

    // Echo user input into status without control characters or unbounded length.
    public static String printable(String value) {
        String cleaned = value.replaceAll("\\p{Cntrl}", "?");
        return cleaned.length() > 80 ? cleaned.substring(0, 80) + "..." : cleaned;
    }
}
