package io.dbmigrate.plan;

import io.dbmigrate.api.v1alpha1.DatabaseMigrationSpec;
import io.dbmigrate.api.v1alpha1.StepSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What decides a step's outcome, hashed: the database, the migrations image and path, and the step's target. The
 * image is in it because `head` of a new image is a new target.
 */
public final class Fingerprint {

  private Fingerprint() {
  }

  public static String of(DatabaseMigrationSpec spec, StepSpec step) {
    String text = String.join("\n",
        spec.database().host(), Integer.toString(spec.database().portOrDefault()), spec.database().name(),
        spec.migrations().image(), spec.migrations().pathOrDefault(), step.targetRevision());
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
