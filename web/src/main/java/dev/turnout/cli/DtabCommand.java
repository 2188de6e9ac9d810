package dev.turnout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.DtabParseException;
import dev.turnout.dtab.Path;
import dev.turnout.naming.BindingException;
import dev.turnout.naming.FsNamer;
import dev.turnout.naming.Interpreter;
import dev.turnout.naming.NamingJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code turnout dtab}: work with dtab files from the shell.
 *
 * <pre>
 * dtab check [FILE|-]          exit 0 when valid; else 1 and "LINE:COL: message" on stderr
 * dtab fmt [FILE|-]            the canonical text, one dentry a line ending in ';'
 * dtab bind [--fs DIR] [--dtab FILE | -e TEXT] PATH      the bound tree, namerd's bind JSON
 * dtab delegate [--fs DIR] [--dtab FILE | -e TEXT] PATH  the delegation tree JSON
 * </pre>
 *
 * With {@code --fs DIR}, an {@code io.l5d.fs} namer serves DIR at {@code /#/io.l5d.fs}; {@code /$/inet}
 * and the other system names always work. Input is read as strict UTF-8. Exit codes: 0 done, 1 the
 * input or the binding is wrong (the message says what and where), 2 bad usage. Never a stack trace.
 */
@Command(
    name = "dtab",
    mixinStandardHelpOptions = true,
    description = "Check, format, bind and delegate dtabs.",
    // Every line under "Examples:" is run by e2e-tests' ReadmeExamplesIT, in a folder holding
    // routes.dtab and disco/users.
    footer = {
      "",
      "Examples:",
      "  turnout dtab check routes.dtab",
      "  turnout dtab fmt routes.dtab",
      "  turnout dtab bind --fs disco --dtab routes.dtab /svc/users",
      "  turnout dtab delegate --fs disco -e '/svc => /#/io.l5d.fs' /svc/users"
    },
    subcommands = {
      DtabCommand.Check.class,
      DtabCommand.Fmt.class,
      DtabCommand.Bind.class,
      DtabCommand.Delegate.class
    })
public final class DtabCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int BAD_INPUT = 1;
  static final int USAGE = 2;

  private final InputStream stdin;

  @Spec CommandSpec spec;

  /** Reads {@code -} from the process's standard input. */
  public DtabCommand() {
    this(System.in);
  }

  /** Reads {@code -} from {@code stdin}. */
  public DtabCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** The text of FILE, or of standard input for {@code -}. */
  String read(String file) throws InputException {
    byte[] bytes;
    try {
      bytes = file.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(java.nio.file.Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw new InputException(file + ": cannot read: " + describe(e));
    }
    return StrictUtf8.decode(file.equals("-") ? "<stdin>" : file, bytes);
  }

  private static String describe(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** Input that cannot be used; the message is for the user. */
  static final class InputException extends Exception {
    private static final long serialVersionUID = 1L;

    InputException(String message) {
      super(message);
    }
  }

  /** Shared by the subcommands: run, turning every failure into a message and an exit code. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand DtabCommand parent;
    @Spec CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    @Override
    public final Integer call() {
      try {
        return run();
      } catch (InputException e) {
        err().println(e.getMessage());
        return BAD_INPUT;
      } catch (DtabParseException e) {
        err().println(e.located());
        return BAD_INPUT;
      } catch (BindingException e) {
        err().println("binding failed: " + e.getMessage());
        return BAD_INPUT;
      } catch (RuntimeException e) {
        err().println("failed: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        return BAD_INPUT;
      } finally {
        out().flush();
        err().flush();
      }
    }

    abstract int run() throws InputException;
  }

  @Command(name = "check", description = "Exit 0 when the dtab is valid; else print LINE:COL: message.")
  static final class Check extends Sub {
    @Parameters(arity = "0..1", paramLabel = "FILE|-", defaultValue = "-", description = "default: stdin")
    String file;

    @Override
    int run() throws InputException {
      Dtab.read(parent.read(file));
      return OK;
    }
  }

  @Command(name = "fmt", description = "Print the dtab canonically, one dentry a line.")
  static final class Fmt extends Sub {
    @Parameters(arity = "0..1", paramLabel = "FILE|-", defaultValue = "-", description = "default: stdin")
    String file;

    @Override
    int run() throws InputException {
      out().print(Dtab.read(parent.read(file)).showLines());
      return OK;
    }
  }

  /** Where the dtab of bind and delegate comes from. */
  static final class DtabSource {
    @Option(names = "--dtab", paramLabel = "FILE", description = "read the dtab from FILE (- for stdin)")
    String file;

    @Option(names = "-e", paramLabel = "TEXT", description = "the dtab itself")
    String text;
  }

  /** Options shared by bind and delegate. */
  abstract static class Naming extends Sub {
    @Option(names = "--fs", paramLabel = "DIR", description = "serve DIR as io.l5d.fs at /#/io.l5d.fs")
    java.nio.file.Path fsDir;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    DtabSource dtabSource;

    @Option(names = "--pretty", description = "indent the JSON")
    boolean pretty;

    @Parameters(index = "0", paramLabel = "PATH", converter = PathConverter.class, description = "e.g. /svc/users")
    Path path;

    @Override
    int run() throws InputException {
      Dtab dtab = Dtab.EMPTY;
      if (dtabSource != null && dtabSource.text != null) {
        dtab = Dtab.read(dtabSource.text);
      } else if (dtabSource != null && dtabSource.file != null) {
        dtab = Dtab.read(parent.read(dtabSource.file));
      }
      if (fsDir != null && !Files.isDirectory(fsDir)) {
        throw new InputException(fsDir + ": no such directory");
      }
      FsNamer fs = fsDir == null ? null : new FsNamer(fsDir);
      try {
        List<Interpreter.Mount> mounts =
            fs == null ? List.of() : List.of(new Interpreter.Mount(FsNamer.DEFAULT_PREFIX, fs));
        JsonNode json = answer(new Interpreter(mounts), dtab, path);
        out().println(pretty ? NamingJson.writePretty(json) : NamingJson.write(json));
        return OK;
      } finally {
        if (fs != null) {
          fs.close();
        }
      }
    }

    abstract JsonNode answer(Interpreter interpreter, Dtab dtab, Path path);
  }

  @Command(name = "bind", description = "Print the bound tree of PATH as namerd's bind JSON.")
  static final class Bind extends Naming {
    @Override
    JsonNode answer(Interpreter interpreter, Dtab dtab, Path path) {
      return NamingJson.boundTree(interpreter.bind(dtab, path));
    }
  }

  @Command(name = "delegate", description = "Print how PATH is delegated, every alternative expanded.")
  static final class Delegate extends Naming {
    @Override
    JsonNode answer(Interpreter interpreter, Dtab dtab, Path path) {
      return NamingJson.delegateTree(interpreter.delegate(dtab, path));
    }
  }

  /** A PATH argument in dtab syntax; a bad one is a usage error naming the parser's complaint. */
  static final class PathConverter implements CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      try {
        return Path.read(value);
      } catch (DtabParseException e) {
        throw new CommandLine.TypeConversionException("Invalid path: " + e.getMessage());
      }
    }
  }
}
