package dev.turnout.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each of Linkerd 1's HTTP classifiers as a table: method x status (or a timed-out attempt) -> success
 * (S), failure (F) or retryable failure (R), read from Linkerd's ResponseClassifiers.
 */
class ClassifierTableTest {
  private static final List<String> METHODS = List.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE", "POST", "PATCH", "CONNECT");

  /** Per classifier: the class of a 503, method by method, in METHODS order. */
  private static final Map<String, String> ON_5XX =
      Map.of(
          "io.l5d.http.nonRetryable5XX", "FFFFFFFFF",
          "io.l5d.http.retryableRead5XX", "RRRRFFFFF",
          "io.l5d.http.retryableIdempotent5XX", "RRRRRRFFF",
          "io.l5d.http.retryableAll5XX", "RRRRRRRRF",
          "io.l5d.http.allSuccessful", "SSSSSSSSS");

  private static char letter(ResponseClass c) {
    return c == ResponseClass.SUCCESS ? 'S' : c == ResponseClass.FAILURE ? 'F' : 'R';
  }

  @Test
  void everyClassifierJudgesA5xxByMethodAsLinkerdDoes() {
    ON_5XX.forEach(
        (kind, row) -> {
          ResponseClassifier c = ResponseClassifier.of(kind);
          StringBuilder got = new StringBuilder();
          for (String m : METHODS) {
            got.append(letter(c.classify(m, 503)));
          }
          assertThat(got.toString()).as(kind).isEqualTo(row);
        });
  }

  @Test
  void everyClassifierCallsAnythingBelow500ASuccess() {
    for (String kind : ON_5XX.keySet()) {
      for (int status : List.of(200, 302, 404, 499)) {
        for (String m : METHODS) {
          assertThat(ResponseClassifier.of(kind).classify(m, status)).as(kind + " " + m + " " + status).isEqualTo(ResponseClass.SUCCESS);
        }
      }
    }
  }

  @Test
  void aTimedOutAttemptIsRetryableForTheMethodsA5xxIs() {
    ON_5XX.forEach(
        (kind, row) -> {
          ResponseClassifier c = ResponseClassifier.of(kind);
          for (int i = 0; i < METHODS.size(); i++) {
            ResponseClass expected = row.charAt(i) == 'R' ? ResponseClass.RETRYABLE_FAILURE : ResponseClass.FAILURE;
            assertThat(c.classifyTimeout(METHODS.get(i))).as(kind + " " + METHODS.get(i)).isEqualTo(expected);
          }
        });
  }
}
