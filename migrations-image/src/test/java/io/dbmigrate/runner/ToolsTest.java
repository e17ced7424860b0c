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
}
