package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.runner.ConnectionSettings;
import io.dbmigrate.runner.ExitCode;
import io.dbmigrate.runner.RunnerException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The connection of a local run: the manifest's database, overridden by libpq's PG* variables, overridden by
 * --database-url. Outside a cluster there is no Secret to read, so the user and password come from the last two.
 */
public final class LocalConnection {
  private static final List<String> LIBPQ = List.of("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE");

  private LocalConnection() {
  }

  public static ConnectionSettings resolve(DatabaseSpec manifest, Map<String, String> environment, String databaseUrl)
      throws RunnerException {
    Map<String, String> merged = new HashMap<>();
    if (manifest != null) {
      putIfPresent(merged, "PGHOST", manifest.host());
      putIfPresent(merged, "PGPORT", Integer.toString(manifest.portOrDefault()));
      putIfPresent(merged, "PGDATABASE", manifest.name());
      putIfPresent(merged, "PGSSLMODE", manifest.sslModeOrDefault().libpqName());
    }
    for (String name : LIBPQ) {
      putIfPresent(merged, name, environment.get(name));
    }
    if (databaseUrl != null) {
      merged.putAll(fromUrl(databaseUrl));
    }
    if (!merged.containsKey("PGUSER")) {
      throw new RunnerException(ExitCode.BAD_INPUT, "no database user: set PGUSER (and PGPASSWORD) or give "
          + "--database-url postgresql://USER@HOST:PORT/DB; the manifest's credentialsSecret is only read in a cluster");
    }
    return ConnectionSettings.fromEnvironment(merged);
  }

  /** postgresql://user:password@host:port/database?sslmode=require, as libpq's URIs. */
  static Map<String, String> fromUrl(String url) throws RunnerException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // The URL may hold a password: say what is wrong without echoing it.
      throw new RunnerException(ExitCode.BAD_INPUT, "--database-url: not a URL (" + e.getReason() + ")");
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new RunnerException(ExitCode.BAD_INPUT, "--database-url: must start with postgresql://");
    }
    Map<String, String> values = new HashMap<>();
    putIfPresent(values, "PGHOST", uri.getHost());
    if (uri.getPort() > 0) {
      values.put("PGPORT", Integer.toString(uri.getPort()));
    }
    String path = uri.getRawPath();
    if (path != null && path.length() > 1) {
      values.put("PGDATABASE", decode(path.substring(1)));
    }
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      values.put("PGUSER", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
      if (colon >= 0) {
        values.put("PGPASSWORD", decode(userInfo.substring(colon + 1)));
      }
    }
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        if (pair.startsWith("sslmode=")) {
          values.put("PGSSLMODE", decode(pair.substring("sslmode=".length())));
        }
      }
    }
    return values;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static void putIfPresent(Map<String, String> map, String key, String value) {
    if (value != null && !value.isBlank()) {
      map.put(key, value);
    }
  }
}
