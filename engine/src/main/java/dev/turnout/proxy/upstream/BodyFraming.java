package dev.turnout.proxy.upstream;

import java.nio.ByteBuffer;

/**
 * Where a backend answer's body ends, read straight off the bytes of the connection (RFC 9112 section
 * 6.3): after a fixed length, after the last chunk of a chunked body, or at the end of the connection.
 * The upstream client feeds it the bytes it has read and relays only the body bytes it points at, so
 * a body is never copied but from the read buffer to the caller, and the read that would find nothing
 * is never made: a body known to be complete is known so from the bytes alone.
 */
abstract class BodyFraming {
  /** What {@link #data(ByteBuffer)} answers once the body has ended. */
  static final int END = -1;

  /**
   * Consumes framing bytes at {@code in}'s position and answers how many body bytes follow it there
   * (all in {@code in}); 0 when more bytes must be read first; {@link #END} when the body is complete.
   * The caller relays some of those bytes, advances {@code in} past them and reports them to {@link
   * #consumed(int)} before asking again.
   *
   * @throws ResponseHead.Malformed when the framing is broken (a bad chunk size line)
   */
  abstract int data(ByteBuffer in) throws ResponseHead.Malformed;

  /** {@code n} of the body bytes last answered were relayed. */
  abstract void consumed(int n);

  /** Whether the end of the connection ends the body properly, rather than cutting it short. */
  boolean endsAtEof() {
    return false;
  }

  static BodyFraming fixed(long length) {
    return new Fixed().start(length);
  }

  static BodyFraming chunked() {
    return new Chunked().start();
  }

  /** The one framing of bodies that run to the end of the connection: it holds no state. */
  static BodyFraming untilClose() {
    return UNTIL_CLOSE;
  }

  private static final BodyFraming UNTIL_CLOSE = new UntilClose();

  /**
   * A body of a known length. An upstream connection keeps one and {@link #start starts} it again for
   * each answer it reads, as it does a {@link Chunked}: it reads one answer at a time.
   */
  static final class Fixed extends BodyFraming {
    private long left;

    /** Frames a body of {@code length} bytes, whatever came before. */
    Fixed start(long length) {
      left = length;
      return this;
    }

    @Override
    int data(ByteBuffer in) {
      return left == 0 ? END : (int) Math.min(left, in.remaining());
    }

    @Override
    void consumed(int n) {
      left -= n;
    }
  }

  private static final class UntilClose extends BodyFraming {
    @Override
    int data(ByteBuffer in) {
      return in.remaining();
    }

    @Override
    void consumed(int n) {}

    @Override
    boolean endsAtEof() {
      return true;
    }
  }

  /**
   * RFC 9112 section 7.1: hex size, optional extensions, CRLF, that many bytes, CRLF; a zero size ends
   * the body after optional trailer fields and a blank line. Extensions and trailers are read and
   * dropped (a proxy that re-frames the body has nowhere to put them), each bounded so a broken backend
   * cannot make the client read forever.
   */
  static final class Chunked extends BodyFraming {
    private static final int SIZE = 0;
    private static final int EXTENSION = 1;
    private static final int SIZE_LF = 2;
    private static final int DATA = 3;
    private static final int DATA_CR = 4;
    private static final int DATA_LF = 5;
    private static final int TRAILER_START = 6;
    private static final int TRAILER_LINE = 7;
    private static final int TRAILER_END_LF = 8;
    private static final int DONE = 9;
    /** Bytes of chunk extensions on one size line, and of trailer fields in all, accepted at most. */
    static final int MAX_SKIPPED = 8192;

    private int state = SIZE;
    private long size;
    private boolean sizeDigits;
    private long left;
    private int skipped;

    /** Frames a new chunked body, whatever came before. */
    Chunked start() {
      state = SIZE;
      size = 0;
      sizeDigits = false;
      left = 0;
      skipped = 0;
      return this;
    }

    @Override
    int data(ByteBuffer in) throws ResponseHead.Malformed {
      while (true) {
        if (state == DATA) {
          if (left > 0) {
            return (int) Math.min(left, in.remaining());
          }
          state = DATA_CR;
        }
        if (state == DONE) {
          return END;
        }
        if (!in.hasRemaining()) {
          return 0;
        }
        byte b = in.get();
        switch (state) {
          case SIZE -> size(b);
          case EXTENSION -> {
            if (b == '\r') {
              state = SIZE_LF;
            } else if (b == '\n') {
              sizeEnded();
            } else if (++skipped > MAX_SKIPPED) {
              throw new ResponseHead.Malformed("a chunk extension longer than " + MAX_SKIPPED + " bytes");
            }
          }
          case SIZE_LF -> {
            expect(b, '\n', "the chunk size line");
            sizeEnded();
          }
          case DATA_CR -> {
            if (b == '\n') {
              state = SIZE;
            } else {
              expect(b, '\r', "the end of a chunk");
              state = DATA_LF;
            }
          }
          case DATA_LF -> {
            expect(b, '\n', "the end of a chunk");
            state = SIZE;
          }
          case TRAILER_START -> {
            if (b == '\n') {
              state = DONE;
            } else if (b == '\r') {
              state = TRAILER_END_LF;
            } else {
              trailerByte();
              state = TRAILER_LINE;
            }
          }
          case TRAILER_LINE -> {
            trailerByte();
            if (b == '\n') {
              state = TRAILER_START;
            }
          }
          case TRAILER_END_LF -> {
            expect(b, '\n', "the chunked body's last line");
            state = DONE;
          }
          default -> throw new IllegalStateException("chunk state " + state);
        }
      }
    }

    private void size(byte b) throws ResponseHead.Malformed {
      int digit = Character.digit(b, 16);
      if (digit >= 0) {
        if (size > (Long.MAX_VALUE >> 4)) {
          throw new ResponseHead.Malformed("a chunk size too large to be true");
        }
        size = size * 16 + digit;
        sizeDigits = true;
        return;
      }
      if (!sizeDigits) {
        throw new ResponseHead.Malformed("a chunk size line that does not start with a hex size");
      }
      if (b == ';' || b == ' ' || b == '\t') {
        skipped = 0;
        state = EXTENSION;
      } else if (b == '\r') {
        state = SIZE_LF;
      } else if (b == '\n') {
        sizeEnded();
      } else {
        throw new ResponseHead.Malformed("a chunk size line with '" + (char) (b & 0xff) + "' in it");
      }
    }

    private void sizeEnded() {
      if (size == 0) {
        skipped = 0;
        state = TRAILER_START;
      } else {
        left = size;
        state = DATA;
      }
      size = 0;
      sizeDigits = false;
    }

    private void trailerByte() throws ResponseHead.Malformed {
      if (++skipped > MAX_SKIPPED) {
        throw new ResponseHead.Malformed("trailer fields longer than " + MAX_SKIPPED + " bytes");
      }
    }

    private static void expect(byte b, char wanted, String where) throws ResponseHead.Malformed {
      if (b != wanted) {
        throw new ResponseHead.Malformed("a broken line end in " + where);
      }
    }

    @Override
    void consumed(int n) {
      left -= n;
    }
  }
}
