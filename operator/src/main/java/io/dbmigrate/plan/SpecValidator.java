package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.BackupSpec;
import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.JobTemplateSpec;
import io.dbmigrate.api.v1alpha1.MigrationsSpec;
import io.dbmigrate.runner.RevisionSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The CRD's schema rules, checked again in code: an API server without CRD validation (the test mock, an old
 * cluster) and local mode must refuse what the schema refuses, with a message that names the field.
 */
public final class SpecValidator {
  private static final Pattern REVISION = Pattern.compile(RevisionSpec.PATTERN);
  private static final Pattern HOST = Pattern.compile(DatabaseSpec.HOST_PATTERN);
  private static final Pattern DATABASE_NAME = Pattern.compile(DatabaseSpec.NAME_PATTERN);
  private static final Pattern SECRET_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
  private static final Pattern PATH = Pattern.compile("^/[A-Za-z0-9._/-]*$");

  private SpecValidator() {
  }

  /** Every problem of the spec, each naming its field; empty when the spec is valid. */
  public static List<String> problems(DatabaseMigrationSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec is required");
      return problems;
    }
    database(spec.database(), problems);
    migrations(spec.migrations(), problems);
    if (spec.targetRevision() == null || spec.targetRevision().isBlank()) {
      problems.add("spec.targetRevision is required");
    } else if (spec.targetRevision().length() > RevisionSpec.MAX_LENGTH || !REVISION.matcher(spec.targetRevision()).matches()) {
      problems.add("spec.targetRevision: \"" + printable(spec.targetRevision())
          + "\" is not an Alembic revision spec (head, a revision id, branch@head, +N)");
    }
    backup(spec.backupOrDefault(), problems);
    if (spec.backoffLimit() != null && (spec.backoffLimit() < 0 || spec.backoffLimit() > 10)) {
      problems.add("spec.backoffLimit: must be between 0 and 10, got " + spec.backoffLimit());
    }
    JobTemplateSpec template = spec.jobTemplateOrDefault();
    if (template.activeDeadlineSeconds() != null && template.activeDeadlineSeconds() < 1) {
      problems.add("spec.jobTemplate.activeDeadlineSeconds: must be at least 1, got " + template.activeDeadlineSeconds());
    }
    return problems;
  }

  private static void database(DatabaseSpec database, List<String> problems) {
    if (database == null) {
      problems.add("spec.database is required");
      return;
    }
    if (database.host() == null || database.host().isBlank()) {
      problems.add("spec.database.host is required");
    } else if (!HOST.matcher(database.host()).matches()) {
      problems.add("spec.database.host: \"" + printable(database.host()) + "\" is not a host name or IP address");
    }
    if (database.port() != null && (database.port() < 1 || database.port() > 65535)) {
      problems.add("spec.database.port: must be between 1 and 65535, got " + database.port());
    }
    if (database.name() == null || database.name().isBlank()) {
      problems.add("spec.database.name is required");
    } else if (!DATABASE_NAME.matcher(database.name()).matches()) {
      problems.add("spec.database.name: \"" + printable(database.name()) + "\" is not a database name this operator accepts");
    }
    if (database.credentialsSecret() == null) {
      problems.add("spec.database.credentialsSecret is required");
    } else if (database.credentialsSecret().name() == null || database.credentialsSecret().name().isBlank()) {
      problems.add("spec.database.credentialsSecret.name is required");
    } else if (!SECRET_NAME.matcher(database.credentialsSecret().name()).matches()) {
      problems.add("spec.database.credentialsSecret.name: \"" + printable(database.credentialsSecret().name())
          + "\" is not a Secret name");
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
    }
  }

  // Echo user input into status without control characters or unbounded length.
  private static String printable(String value) {
    String cleaned = value.replaceAll("\\p{Cntrl}", "?");
    return cleaned.length() > 80 ? cleaned.substring(0, 80) + "..." : cleaned;
  }
}
