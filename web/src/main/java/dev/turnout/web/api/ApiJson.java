package dev.turnout.web.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.dtab.Dentry;
import dev.turnout.dtab.Dtab;
import dev.turnout.dtab.DtabDiff;
import dev.turnout.store.DtabVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The API's JSON shapes: namerd's dentry list, and Turnout's versions and diffs. */
final class ApiJson {
  /** Reads request bodies too: a body is one JSON value, and anything after it is refused. */
  static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ApiJson() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  /** namerd's form: {@code [{"prefix":"/svc","dst":"/#/io.l5d.fs"}]}. */
  static List<Map<String, String>> dentries(Dtab dtab) {
    List<Map<String, String>> out = new ArrayList<>(dtab.size());
    for (Dentry d : dtab.dentries()) {
      Map<String, String> entry = new LinkedHashMap<>();
      entry.put("prefix", d.prefix().show());
      entry.put("dst", d.dst().show());
      out.add(entry);
    }
    return out;
  }

  static Map<String, Object> version(DtabVersion v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", v.version());
    m.put("etag", v.etag());
    m.put("author", v.author());
    m.put("comment", v.comment());
    m.put("createdAt", v.createdAt().toString());
    m.put("dtab", v.text());
    m.put("deleted", v.deleted());
    return m;
  }

  static Map<String, Object> diff(
      String namespace, DtabVersion from, DtabVersion to, DtabDiff diff) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("namespace", namespace);
    m.put("from", from == null ? null : ref(from));
    m.put("to", ref(to));
    List<Map<String, Object>> changes = new ArrayList<>();
    for (DtabDiff.Change c : diff.changes()) {
      changes.add(change(c));
    }
    m.put("changes", changes);
    return m;
  }

  private static Map<String, Object> ref(DtabVersion v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", v.version());
    m.put("etag", v.etag());
    m.put("deleted", v.deleted());
    return m;
  }

  private static Map<String, Object> change(DtabDiff.Change c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", c.kind());
    if (c instanceof DtabDiff.Added a) {
      m.put("toIndex", a.toIndex());
      m.put("prefix", a.dentry().prefix().show());
      m.put("dst", a.dentry().dst().show());
    } else if (c instanceof DtabDiff.Removed r) {
      m.put("fromIndex", r.fromIndex());
      m.put("prefix", r.dentry().prefix().show());
      m.put("dst", r.dentry().dst().show());
    } else if (c instanceof DtabDiff.Changed ch) {
      m.put("fromIndex", ch.fromIndex());
      m.put("toIndex", ch.toIndex());
      m.put("prefix", ch.prefix().show());
      m.put("fromDst", ch.from().dst().show());
      m.put("toDst", ch.to().dst().show());
    } else if (c instanceof DtabDiff.Moved mv) {
      m.put("fromIndex", mv.fromIndex());
      m.put("toIndex", mv.toIndex());
      m.put("prefix", mv.dentry().prefix().show());
      m.put("dst", mv.dentry().dst().show());
    }
    return m;
  }
}
