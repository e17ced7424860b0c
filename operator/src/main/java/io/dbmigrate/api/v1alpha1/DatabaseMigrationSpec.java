package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.dbmigrate.runner.RevisionSpec;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** What to migrate, with what, to which revision, and how carefully. */
public record DatabaseMigrationSpec(
    @Required
    @JsonPropertyDescription("The PostgreSQL database to migrate.")
    DatabaseSpec database,

    @Required
    @JsonPropertyDescription("The image holding the Alembic project, built FROM the dbmigrate migrations image.")
    MigrationsSpec migrations,

    @Required
    @Pattern(RevisionSpec.PATTERN)
    @Size(min = 1, max = RevisionSpec.MAX_LENGTH)
    @JsonPropertyDescription("The Alembic revision to upgrade to: head, a revision id (ae1027a6acf), branch@head, or a relative step (+2). "
        + "Passed to Alembic as one argument, never to a shell.")
    String targetRevision,

    @Required
    @JsonPropertyDescription("The backup taken and verified before every upgrade: a volume for it, or mode Disabled "
        + "with a reason.")
    BackupSpec backup,

    @Default("2")
    @Min(0)
    @Max(10)
    @JsonPropertyDescription("How many times a failed attempt is retried when the failure may be transient (database unreachable, "
        + "migration lock held); a failing revision is never retried. Default 2.")
    Integer backoffLimit,

    @Default("false")
    @JsonPropertyDescription("When true, no new migration Job is started; a running one finishes.")
    Boolean suspend,

    @JsonPropertyDescription("Settings copied into the migration Job's pod.")
    JobTemplateSpec jobTemplate) {

  public static final int DEFAULT_BACKOFF_LIMIT = 2;

  public BackupSpec backupOrDefault() {
    return backup == null ? BackupSpec.DEFAULT : backup;
  }

  public int backoffLimitOrDefault() {
    return backoffLimit == null ? DEFAULT_BACKOFF_LIMIT : backoffLimit;
  }

  public boolean suspended() {
    return Boolean.TRUE.equals(suspend);
  }

  public JobTemplateSpec jobTemplateOrDefault() {
    return jobTemplate == null ? JobTemplateSpec.EMPTY : jobTemplate;
  }
}
