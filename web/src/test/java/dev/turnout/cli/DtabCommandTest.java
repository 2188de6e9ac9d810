package dev.turnout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DtabCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String stdin, String... args) {
    return run(stdin.getBytes(StandardCharsets.UTF_8), args);
  }

  private int run(byte[] stdin, String... args) {
    CommandLine cmd = new CommandLine(new DtabCommand(new ByteArrayInputStream(stdin)));
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  private Path file(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  @Test
  void checkAcceptsAValidDtabFromStdin() {
    assertThat(run("/svc => /#/io.l5d.fs; # comment\n/host => /svc;\n", "check")).isZero();
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void checkReportsLineColumnAndMessage() throws IOException {
    Path f = file("bad.dtab", "/svc => /#/io.l5d.fs;\n/host -> /svc;\n");

    int code = run("", "check", f.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).startsWith("2:7: '=' expected but '-' found at '");
    assertThat(err.toString()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void checkRefusesNonUtf8SayingAtWhichByte() {
    byte[] bytes = {'/', 'a', ' ', '=', '>', ' ', '/', (byte) 0xC3, (byte) 0x28};

    int code = run(bytes, "check", "-");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString().strip()).isEqualTo("<stdin>: not valid UTF-8 at byte offset 7");
  }

  @Test
  void checkOfAMissingFileSaysSo() {
    assertThat(run("", "check", dir.resolve("nope.dtab").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("nope.dtab: cannot read: no such file");
  }

  @Test
  void fmtPrintsOneCanonicalDentryALine() {
    int code = run("/svc=>/#/io.l5d.fs ;/host=>  0.9*/a & 0.1*/b|/c # why\n", "fmt");

    assertThat(code).isZero();
    assertThat(out.toString()).isEqualTo("/svc => /#/io.l5d.fs;\n/host => 0.90*/a & 0.10*/b | /c;\n");
  }

  @Test
  void bindPrintsNamerdsBindJsonForAnFsDirectory() throws IOException {
    file("disco/users", "127.0.0.1 8080\n");

    int code =
        run("", "bind", "--fs", dir.resolve("disco").toString(), "-e", "/svc => /#/io.l5d.fs", "/svc/users/api");

    assertThat(code).isZero();
    assertThat(out.toString().strip())
        .isEqualTo(
            "{\"type\":\"leaf\",\"bound\":{\"addr\":{\"type\":\"bound\",\"addrs\":[{\"ip\":\"127.0.0.1\","
                + "\"port\":8080,\"meta\":{}}],\"meta\":{}},\"id\":\"/#/io.l5d.fs/users\",\"path\":\"/api\"}}");
  }

  @Test
  void bindReadsTheDtabFromAFile() throws IOException {
    Path d = file("routes.dtab", "/svc => /$/inet/127.1/9000;\n");

    assertThat(run("", "bind", "--dtab", d.toString(), "/svc")).isZero();
    assertThat(out.toString()).contains("\"id\":\"/$/inet/127.1/9000\"");
  }

  @Test
  void bindThatLoopsExitsOneWithTheDepthMessage() throws IOException {
    file("disco/users", "127.0.0.1 8080\n");

    int code = run("", "bind", "--fs", dir.resolve("disco").toString(), "-e", "/ => /#/io.l5d.fs", "/users");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString().strip())
        .isEqualTo("binding failed: Max recursion level: 100 reached in Namer lookup");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void delegatePrintsTheDelegationTree() throws IOException {
    file("disco/users", "127.0.0.1 8080\n");

    int code =
        run("", "delegate", "--fs", dir.resolve("disco").toString(), "-e", "/svc => /#/io.l5d.fs/v2 | /#/io.l5d.fs", "/svc/users");

    assertThat(code).isZero();
    assertThat(out.toString())
        .startsWith("{\"type\":\"alt\",\"path\":\"/svc/users\",\"alt\":[{\"type\":\"neg\",\"path\":\"/#/io.l5d.fs/v2/users\"")
        .contains("\"id\":\"/#/io.l5d.fs/users\"");
  }

  @Test
  void aBadPathIsAUsageError() {
    int code = run("", "bind", "-e", "/a => /b", "not/a/path");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("Invalid path: '/' expected but 'n' found");
  }

  @Test
  void bothDtabSourcesAtOnceIsAUsageError() {
    assertThat(run("", "bind", "--dtab", "x", "-e", "/a=>/b", "/a")).isEqualTo(2);
  }

  @Test
  void anUnknownSubcommandIsAUsageError() {
    assertThat(run("", "frobnicate")).isEqualTo(2);
  }

  @Test
  void noSubcommandPrintsUsageAndExitsTwo() {
    assertThat(run("")).isEqualTo(2);
    assertThat(err.toString()).contains("Usage: dtab");
  }

  @Test
  void aMissingFsDirectoryIsBadInput() {
    assertThat(run("", "bind", "--fs", dir.resolve("none").toString(), "/svc")).isEqualTo(1);
    assertThat(err.toString()).contains("none: no such directory");
  }
}
