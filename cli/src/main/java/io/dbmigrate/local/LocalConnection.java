package io.dbmigrate.local;

import io.dbmigrate.api.v1alpha1.DatabaseSpec;
import io.dbmigrate.api.v1alpha1.SslMode;
import io.dbmigrate.contract.ExitCode;
import io.dbmigrate.contract.RunnerEnvironment;
import io.dbmigrate.contract.RunnerException;
import io.dbmigrate.runner.ConnectionSettings;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The connection of a local run: the manifest's database, overridden by libpq's PG* variables, overridden by
 * --database-url. Outside a cluster there is no Secret to read, so the user and password come from the last two.
 */
public final class LocalConnection {
    // A DNS name (docker-compose's my_db included) or an IP address; what the runner's PGHOST check takes.
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%-]{1,253}");
    private static final List<String> LIBPQ = List.of("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE");

    private LocalConnection() {
    }

    public static ConnectionSettings resolve(DatabaseSpec manifest, Map<String, String> environment, String databaseUrl)
            throws RunnerException {
        Map<String, String> merged = fromManifest(manifest);
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

    /**
     * The connection of one target of a set: where from the target alone, who from PGUSER and PGPASSWORD. PGHOST,
     * PGPORT, PGDATABASE and PGSSLMODE would point every target at one database, so they are not read.
     */
    public static ConnectionSettings forTarget(String target, DatabaseSpec database, Map<String, String> environment)
            throws RunnerException {
        Map<String, String> merged = fromManifest(database);
        putIfPresent(merged, "PGUSER", environment.get("PGUSER"));
        putIfPresent(merged, "PGPASSWORD", environment.get("PGPASSWORD"));
        if (!merged.containsKey("PGUSER")) {
            throw new RunnerException(ExitCode.BAD_INPUT, "no database user: set PGUSER (and PGPASSWORD) for the "
                    + "targets; their credentialsSecrets are only read in a cluster");
        }
        try {
            return ConnectionSettings.fromEnvironment(merged);
        } catch (RunnerException e) {
            throw new RunnerException(e.exitCode(), "target " + target + ": " + e.getMessage(), e);
        }
    }

    // Where, as the Job's environment says it: the manifest's host, port, database, sslmode and schema. The schema only
    // ever comes from the manifest, as in a cluster: it says which tenant the manifest migrates.
    private static Map<String, String> fromManifest(DatabaseSpec manifest) {
        Map<String, String> merged = new HashMap<>();
        if (manifest != null) {
            putIfPresent(merged, RunnerEnvironment.HOST.variable(), manifest.host());
            putIfPresent(merged, RunnerEnvironment.PORT.variable(), Integer.toString(manifest.portOrDefault()));
            putIfPresent(merged, RunnerEnvironment.DATABASE.variable(), manifest.name());
            putIfPresent(merged, RunnerEnvironment.SSL_MODE.variable(), manifest.sslModeOrDefault().libpqName());
            putIfPresent(merged, RunnerEnvironment.SCHEMA.variable(), manifest.schema());
        }
        return merged;
    }

    /**
     * The server a rehearsal restores its copy on when spec.rehearsal.database names one: where from the manifest,
     * overridden by the URL, and who from the URL alone. PG* describe the migrated database, not this server, and its
     * credentialsSecret cannot be read without a cluster.
     */
    public static ConnectionSettings resolveRehearsal(DatabaseSpec manifest, String rehearsalUrl) throws RunnerException {
        Map<String, String> merged = fromManifest(manifest);
        Map<String, String> url;
        try {
            url = fromUrl(rehearsalUrl);
        } catch (RunnerException e) {
            throw new RunnerException(ExitCode.BAD_INPUT, e.getMessage().replaceFirst("^--database-url",
                    "--rehearsal-database-url"));
        }
        if (!url.containsKey("PGUSER")) {
            throw new RunnerException(ExitCode.BAD_INPUT, "--rehearsal-database-url: give the user of the rehearsal server "
                    + "(postgresql://USER@HOST:PORT/DB): it needs CREATEDB there");
        }
        merged.putAll(url);
        return ConnectionSettings.fromEnvironment(merged);
    }

    /**
     * postgresql://user:password@host:port/database?sslmode=require, as libpq's URIs, read strictly: what the URL says
     * cannot be half-read and the rest silently taken from elsewhere. A host comes with its own port, 5432 when the URL
     * gives none (as libpq's default), never the port the manifest gave its own host.
     */
    static Map<String, String> fromUrl(String url) throws RunnerException {
        String rest;
        if (url.startsWith("postgresql://")) {
            rest = url.substring("postgresql://".length());
        } else if (url.startsWith("postgres://")) {
            rest = url.substring("postgres://".length());
        } else {
            throw badUrl("must start with postgresql://");
        }
        int query = rest.indexOf('?');
        String parameters = query < 0 ? null : rest.substring(query + 1);
        rest = query < 0 ? rest : rest.substring(0, query);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);

        Map<String, String> values = new HashMap<>();
        // The last @ ends the user info: a password may hold an unencoded @, a host never does.
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon), "the user");
            if (user.isEmpty()) {
                throw badUrl("the user before @ is empty");
            }
            values.put("PGUSER", user);
            if (colon >= 0) {
                values.put("PGPASSWORD", decode(userInfo.substring(colon + 1), "the password"));
            }
        }
        hostAndPort(authority.substring(at + 1), values);
        if (!path.isEmpty()) {
            String database = decode(path, "the database name");
            if (database.contains("/")) {
                throw badUrl("the database name '" + database + "' holds a /");
            }
            values.put("PGDATABASE", database);
        }
        if (parameters != null) {
            for (String pair : parameters.split("&", -1)) {
                int equals = pair.indexOf('=');
                String key = equals < 0 ? pair : pair.substring(0, equals);
                if (!"sslmode".equals(key)) {
                    throw badUrl("unknown parameter '" + key + "' (the only one read is sslmode)");
                }
                String mode = equals < 0 ? "" : decode(pair.substring(equals + 1), "sslmode");
                if (Arrays.stream(SslMode.values()).noneMatch(m -> m.libpqName().equals(mode))) {
                    throw badUrl("sslmode '" + mode + "' is not one of " + Arrays.stream(SslMode.values())
                            .map(SslMode::libpqName).collect(Collectors.joining(", ")));
                }
                values.put("PGSSLMODE", mode);
            }
        }
        return values;
    }

    private static void hostAndPort(String hostPort, Map<String, String> values) throws RunnerException {
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw badUrl("an IPv6 address opened with [ is not closed with ]");
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw badUrl("expected :PORT after [" + host + "]");
                }
                port = after.substring(1);
            }
        } else {
            int colon = hostPort.indexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            port = colon < 0 ? null : hostPort.substring(colon + 1);
            host = decode(host, "the host");
        }
        if (host.isEmpty()) {
            throw badUrl("no host (postgresql://USER@HOST[:PORT]/DB)");
        }
        if (host.contains(",")) {
            throw badUrl("names several hosts; give one");
        }
        if (!HOST.matcher(host).matches()) {
            throw badUrl("'" + host + "' is not a host name or address");
        }
        values.put("PGHOST", host);
        if (port == null) {
            values.put("PGPORT", Integer.toString(DatabaseSpec.DEFAULT_PORT));
            return;
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw badUrl("port '" + port + "' is not a port number (1..65535)");
        }
        values.put("PGPORT", Integer.toString(Integer.parseInt(port)));
    }

    private static RunnerException badUrl(String problem) {
        // The URL may hold a password: say what is wrong without echoing the URL.
        return new RunnerException(ExitCode.BAD_INPUT, "--database-url: " + problem);
    }

    private static String decode(String text, String what) throws RunnerException {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw badUrl(what + " holds a % that is not followed by two hex digits");
        }
    }

    private static void putIfPresent(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }
}
