package dev.turnout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.TestCerts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** A certificate or key that cannot be used stops start-up with exit 2 and one line naming it. */
class AdminTlsStartupTest {
  static final TestCerts.Issued CA = TestCerts.ca("test CA");

  @TempDir Path dir;

  /** Writes admin.pem and admin.key into the folder; returns the line start-up must print. */
  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("a missing key", (BiFunction<Path, TestCerts.Issued, String>) (d, leaf) -> {
          leaf.writeCert(d.resolve("admin.pem"));
          return "admin.tls.keyPath " + d.resolve("admin.key") + ": no such file";
        }),
        Arguments.of("a key of another certificate", (BiFunction<Path, TestCerts.Issued, String>) (d, leaf) -> {
          leaf.writeCert(d.resolve("admin.pem"));
          TestCerts.leaf(CA, "localhost").writeKey(d.resolve("admin.key"));
          return "admin.tls.keyPath " + d.resolve("admin.key") + ": the key does not match the certificate in"
              + " admin.tls.certPath " + d.resolve("admin.pem");
        }),
        Arguments.of("an expired certificate", (BiFunction<Path, TestCerts.Issued, String>) (d, leaf) -> {
          TestCerts.Issued expired = TestCerts.expiredLeaf(CA, "localhost");
          expired.writeCert(d.resolve("admin.pem"));
          expired.writeKey(d.resolve("admin.key"));
          return "admin.tls.certPath " + d.resolve("admin.pem") + ": the certificate CN=localhost expired on";
        }),
        Arguments.of("a password-protected key", (BiFunction<Path, TestCerts.Issued, String>) (d, leaf) -> {
          leaf.writeCert(d.resolve("admin.pem"));
          leaf.writeEncryptedKey(d.resolve("admin.key"), "secret");
          return "admin.tls.keyPath " + d.resolve("admin.key") + ": the key is protected by a password";
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void exitsTwoNamingTheFileAndTheProblem(String what, BiFunction<Path, TestCerts.Issued, String> write) throws Exception {
    String line = write.apply(dir, TestCerts.leaf(CA, "localhost"));
    Path config = Files.writeString(dir.resolve("turnout.yml"),
        "admin: {port: 0, tls: {certPath: admin.pem, keyPath: admin.key}}\nrouters: [{protocol: http, servers: [{port: 0}]}]\n");
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = Main.commandLine().execute("--config", config.toString(), "--data", dir.resolve("data").toString(), "--warmup", "0");
    } finally {
      System.setErr(oldErr);
    }

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("turnout: " + line);
    assertThat(dir.resolve("data")).as("no store was opened").doesNotExist();
  }
}
