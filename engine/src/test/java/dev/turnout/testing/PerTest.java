package dev.turnout.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fixture made fresh for every test in a directory of its own, and closed (then the directory
 * removed) after it, whether the test passed or not: the set-up and tear-down that test classes used
 * to copy into their own {@code @BeforeEach} and {@code @AfterEach}.
 *
 * <pre>{@code
 * @RegisterExtension final PerTest<ApiServer> api = PerTest.of(ApiServer::new);
 * ...
 * api.get().write("POST", "/api/1/dtabs/default", "application/dtab", "/svc => /$/inet/1;");
 * }</pre>
 */
public final class PerTest<T extends AutoCloseable> implements BeforeEachCallback, AfterEachCallback {
  private final Function<Path, T> make;
  private T current;
  private Path dir;

  private PerTest(Function<Path, T> make) {
    this.make = make;
  }

  /** A fixture that {@code make} builds in the test's own directory. */
  public static <T extends AutoCloseable> PerTest<T> of(Function<Path, T> make) {
    return new PerTest<>(make);
  }

  /** The current test's fixture. @throws IllegalStateException outside a test */
  public T get() {
    if (current == null) {
      throw new IllegalStateException("the fixture exists only while a test runs");
    }
    return current;
  }

  /** The current test's directory, where the fixture keeps its files. */
  public Path dir() {
    get();
    return dir;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("turnout-test-");
    current = make.apply(dir);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    T closing = current;
    current = null;
    try {
      if (closing != null) {
        closing.close();
      }
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
