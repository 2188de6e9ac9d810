package dev.turnout.cli;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decodes UTF-8 refusing anything malformed, and says at which byte. */
final class StrictUtf8 {
  private StrictUtf8() {}

  static String decode(String source, byte[] bytes) throws DtabCommand.InputException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) {
      throw new DtabCommand.InputException(
          source + ": not valid UTF-8 at byte offset " + in.position());
    }
    r = decoder.flush(out);
    if (r.isError()) {
      throw new DtabCommand.InputException(source + ": not valid UTF-8 at byte offset " + in.position());
    }
    out.flip();
    return out.toString();
  }
}
