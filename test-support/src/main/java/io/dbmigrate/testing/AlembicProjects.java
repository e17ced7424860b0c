package io.dbmigrate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** The repository's Alembic projects (examples/crm) as a test changes them: a copy, with revisions of its own. */
public final class AlembicProjects {

    private AlembicProjects() {
    }

    /** Copies {@code project} to {@code target} (its __pycache__ left out, files already there replaced). */
    public static Path copy(Path project, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(project)) {
            for (Path source : files.filter(p -> !p.toString().contains("__pycache__")).toList()) {
                Path copy = target.resolve(project.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    /** Adds {@code versions/<file>}: a revision on top of {@code downRevision} whose upgrade runs one SQL statement. */
    public static void addRevision(Path project, String file, String revision, String downRevision, String upgradeSql)
            throws IOException {
        Files.writeString(project.resolve("versions").resolve(file), """
                from alembic import op
                revision = '%s'
                down_revision = '%s'
                branch_labels = None
                depends_on = None


                def upgrade():
                    op.execute('%s')


                def downgrade():
                    pass
                """.formatted(revision, downRevision, upgradeSql));
    }
}
