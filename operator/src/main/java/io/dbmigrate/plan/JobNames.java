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
    return name(resourceName, "-g" + generation + "-" + shortHash(uid == null ? "" : uid));
  }

  /** A step's Job: {@code <name>-g<generation>-<step>-<hash>}. */
  public static String forStep(String resourceName, String uid, long generation, String step) {
    return name(resourceName, "-g" + generation + "-" + step + "-" + shortHash(uid == null ? "" : uid));
  }

  /** The Job that plans a gated step: {@code <name>-g<generation>-<step>-plan-<hash>}. */
  public static String forPlan(String resourceName, String uid, long generation, String step) {
    return name(resourceName, "-g" + generation + "-" + step + "-plan-" + shortHash(uid == null ? "" : uid));
  }

  /** The ConfigMap holding a step's plan; one per step, rewritten by each generation's plan. */
  public static String planConfigMap(String resourceName, String step) {
    String suffix = "-" + step + "-plan";
    // A ConfigMap name is a DNS subdomain, at most 253 characters, like the resource's own.
    return resourceName.substring(0, Math.min(resourceName.length(), 253 - suffix.length())) + suffix;
  }

  private static String name(String resourceName, String suffix) {
    // Pod host names come from the Job name, so it must be a DNS label: a resource name's dots become dashes.
    String base = resourceName.replace('.', '-');
    if (base.length() + suffix.length() > MAX) {
      base = base.substring(0, Math.max(1, MAX - suffix.length()));
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
