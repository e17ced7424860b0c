package io.dbmigrate.plan;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

/** The plan's SQL travels gzipped and base64-encoded in the termination message, where space is short. */
public final class PlanSql {

  private PlanSql() {
  }

  public static String decode(String gzipBase64) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(gzipBase64)))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | IllegalArgumentException e) {
      throw new UncheckedIOException("the plan's SQL is not gzip+base64", e instanceof IOException io ? io
          : new IOException(e));
    }
  }
}
