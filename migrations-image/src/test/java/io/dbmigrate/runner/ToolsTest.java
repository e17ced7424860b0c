package io.dbmigrate.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolsTest {

    @TempDir
    Path tmp;

    private Path script(String name, String firstLine) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, firstLine + "\nimport sys\n");
        p.toFile().setExecutable(true);
        return p;
    }

    @Test
    void pythonComesFromTheAlembicScriptsInterpreterLine() throws IOException {
        assertEquals("/usr/bin/python3", Tools.pythonOf(script("a", "#!/usr/bin/python3").toString(), null));
        assertEquals("/venv/bin/python", Tools.pythonOf(script("b", "#! /venv/bin/python -E").toString(), null));
        assertEquals("python3.11", Tools.pythonOf(script("c", "#!/usr/bin/env python3.11").toString(), null));
    }

    @Test
    void anythingElseFallsBackToPython3() throws IOException {
        assertEquals("python3", Tools.pythonOf(script("shim", "#!/usr/bin/env bash").toString(), null));
        assertEquals("python3", Tools.pythonOf(script("sh", "#!/bin/sh").toString(), null));
        assertEquals("python3", Tools.pythonOf(script("none", "import sys").toString(), null));
        assertEquals("python3", Tools.pythonOf(tmp.resolve("missing").toString(), null));
        assertEquals("python3", Tools.pythonOf("alembic", null));
    }

    @Test
    void aBareNameIsLookedUpOnPath() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("alembic"), "#!/opt/py/bin/python3\n");
        bin.resolve("alembic").toFile().setExecutable(true);
        assertEquals("/opt/py/bin/python3", Tools.pythonOf("alembic", "/nonexistent::" + bin));
    }

    @Test
    void environmentWins() throws IOException {
        String alembic = script("a", "#!/usr/bin/python3").toString();
        assertEquals("/usr/bin/python3", Tools.fromEnvironment(Map.of("DBMIGRATE_ALEMBIC", alembic)).python());
        assertEquals("/opt/python", Tools.fromEnvironment(Map.of("DBMIGRATE_ALEMBIC", alembic,
                "DBMIGRATE_PYTHON", " /opt/python ")).python());
        Tools defaults = Tools.fromEnvironment(Map.of("PATH", tmp.toString()));
        assertEquals("alembic", defaults.alembic());
        assertEquals("python3", defaults.python());
        assertEquals("pg_dump", defaults.pgDump());
    }

    /** Debian's layout: /usr/bin/pg_dump -> ../share/postgresql-common/pg_wrapper, clients in /usr/lib/postgresql. */
    private Path debianClients() throws IOException {
        Path wrapper = Files.createDirectories(tmp.resolve("share/postgresql-common")).resolve("pg_wrapper");
        Files.writeString(wrapper, "#!/usr/bin/perl\n");
        wrapper.toFile().setExecutable(true);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("pg_dump"), Path.of("../share/postgresql-common/pg_wrapper"));
        Files.createSymbolicLink(bin.resolve("pg_restore"), Path.of("../share/postgresql-common/pg_wrapper"));
        return bin;
    }

    @Test
    void debiansPgWrapperIsSkippedForTheNewestClientItWouldRun() throws IOException {
        Path bin = debianClients();
        Path root = tmp.resolve("lib/postgresql");
        for (String v : new String[] {"9.6", "13", "15"}) {
            executable(root.resolve(v).resolve("bin/pg_dump"));
        }
        executable(root.resolve("13/bin/pg_restore"));
        Files.createDirectories(root.resolve("16/bin")); // a server-only leftover without pg_dump
        Files.createDirectories(root.resolve("17beta")); // not a version pg_wrapper counts

        assertEquals(root.resolve("15/bin/pg_dump").toString(), Tools.pastPgWrapper("pg_dump", bin.toString(), root));
        assertEquals(root.resolve("13/bin/pg_restore").toString(),
                Tools.pastPgWrapper("pg_restore", "/nonexistent:" + bin, root));
        assertEquals(root.resolve("15/bin/pg_dump").toString(),
                Tools.pastPgWrapper(bin.resolve("pg_dump").toString(), null, root));
    }

    @Test
    void anyOtherClientIsRunAsGiven() throws IOException {
        Path bin = debianClients();
        Path root = tmp.resolve("lib/postgresql");
        assertEquals("pg_dump", Tools.pastPgWrapper("pg_dump", bin.toString(), root)); // no client installed
        assertEquals("pg_dump", Tools.pastPgWrapper("pg_dump", tmp.resolve("nowhere").toString(), root));
        Path own = executable(Files.createDirectories(tmp.resolve("opt")).resolve("pg_dump"));
        assertEquals(own.toString(), Tools.pastPgWrapper(own.toString(), null, root));
        Files.createSymbolicLink(tmp.resolve("opt/pg_restore"), own);
        executable(root.resolve("15/bin/pg_restore"));
        assertEquals("pg_restore", Tools.pastPgWrapper("pg_restore", tmp.resolve("opt").toString(), root));
    }

    private static Path executable(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\n");
        p.toFile().setExecutable(true);
        return p;
    }
}
