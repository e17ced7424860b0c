package io.dbmigrate.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of an operator's /metrics over HTTP, read as Prometheus text: samples by name and labels. */
public final class MetricsScrape {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String text;

    private MetricsScrape(String text) {
        this.text = text;
    }

    /** GET http://127.0.0.1:PORT/metrics; fails unless it answers 200. */
    public static MetricsScrape of(int port) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + response.statusCode() + ": " + response.body());
            }
            return new MetricsScrape(response.body());
        } catch (IOException e) {
            throw new AssertionError("/metrics on port " + port + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public String text() {
        return text;
    }

    /** The value of the one sample named {@code name} whose labels include {@code labels}; empty when there is none. */
    public OptionalDouble value(String name, Map<String, String> labels) {
        List<Double> values = text.lines()
                .filter(line -> !line.startsWith("#"))
                .map(SAMPLE::matcher)
                .filter(Matcher::matches)
                .filter(m -> m.group(1).equals(name) && labels(m.group(2)).entrySet().containsAll(labels.entrySet()))
                .map(m -> Double.parseDouble(m.group(3)))
                .toList();
        if (values.size() > 1) {
            throw new AssertionError(values.size() + " samples " + name + labels + " in:\n" + text);
        }
        return values.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(values.get(0));
    }

    private static Map<String, String> labels(String group) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (group != null) {
            Matcher label = LABEL.matcher(group);
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
        }
        return labels;
    }
}
