package io.dbmigrate.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one name a generation's Job can have. Deterministic, so a restarted operator finds the Job it created instead
 * of creating a second; the resource's uid is in it, so a deleted and recreated resource never adopts an old Job.
 */
public final class JobNames {
  // Pod names add a 6-character suffix to the Job name and must stay within 63 characters.
  private static final int MAX = 52;

  private JobNames() {
  }

  public static String forGeneration(String resourceName, String uid, long generation) {
    String suffix = "-g" + generation + "-" + shortHash(uid == null ? "" : uid);
    // Pod host names come from the Job name, so it must be a DNS label: a resource name's dots become dashes.
    String base = resourceName.replace('.', '-');
    if (base.length() + suffix.length() > MAX) {
      base = base.substring(0, MAX - suffix.length());
    }
    // A name cut in the middle may end in '-', which the suffix then follows: still a valid DNS label.
    return base + suffix;
  }

  private static String shortHash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 3).substring(0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
