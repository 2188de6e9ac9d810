package dev.turnout.e2e;

import dev.turnout.testing.Await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar web/target/turnout.jar ARGS} as a separate OS process, as an operator runs it: its
 * output is kept (and shown when a test fails), and the ports it prints ({@code turnout: admin
 * listening on ...}) are read from it. {@link #kill} is {@code kill -9}; {@link #close} is SIGTERM.
 */
final class JarProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("turnout: (proxy|admin) listening on ([0-9.]+):(\\d+)");

  final String name;
  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private JarProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    reader = new Thread(this::read, "output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  static Path jar() {
    Path jar = Path.of("..", "web", "target", "turnout.jar").toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: the web module's package phase builds it");
    }
    return jar;
  }

  /** Starts the jar with {@code args} and {@code env} added to this process's environment. */
  static JarProcess start(String name, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-jar", jar().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    try {
      return new JarProcess(name, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /**
   * Starts {@code command} as built (a launcher, its own environment and working directory) and keeps
   * its output, as {@link #start} does for the jar.
   */
  static JarProcess start(String name, ProcessBuilder command) {
    try {
      return new JarProcess(name, command.redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private boolean readerAlive() {
    return reader.isAlive();
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        output.add(line);
      }
    } catch (IOException ended) {
      // the process is gone
    }
  }

  /** The port the process printed for {@code role} (proxy or admin), waiting for it. */
  int port(String role) {
    Await.until(name + " to print its " + role + " port (output: " + output + ")", Duration.ofSeconds(60), () -> {
      if (!process.isAlive() && find(role) < 0) {
        throw new AssertionError(name + " exited " + process.exitValue() + ": " + String.join("\n", output));
      }
      return find(role) > 0;
    });
    return find(role);
  }

  private int find(String role) {
    for (String line : output) {
      Matcher m = LISTENING.matcher(line);
      if (m.find() && m.group(1).equals(role)) {
        return Integer.parseInt(m.group(3));
      }
    }
    return -1;
  }

  /** Waits at most {@code within} for the process to end, then gives its exit code (failing if it runs on). */
  int exitCode(Duration within) {
    try {
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " still runs after " + within + "; output:\n" + output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    // The reader may still be taking the last lines from the pipe.
    Await.until(name + "'s output to be read", Duration.ofSeconds(5), () -> !readerAlive());
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** The exit code; only once the process has ended (after {@link #close} or {@link #kill}). */
  int exitValue() {
    return process.exitValue();
  }

  String output() {
    return String.join("\n", output);
  }

  /** {@code kill -9}: no shutdown hook runs, no socket is closed politely. */
  void kill() {
    process.destroyForcibly();
    waitFor();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      waitFor();
    }
  }

  private void waitFor() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
