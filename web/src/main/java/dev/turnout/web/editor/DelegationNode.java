package dev.turnout.web.editor;

import java.util.List;

/**
 * One node of a delegation tree (dtab.md §2.7) as the preview shows it: its kind, the name at this node,
 * the dentry that produced it ({@code prefix => dst}, empty at the root), its children (with a weight
 * for union branches, NaN otherwise), and for a leaf the bound id, residual path and endpoints.
 */
public record DelegationNode(
    Kind kind,
    String path,
    String dentry,
    List<Child> children,
    String boundId,
    String residual,
    List<String> endpoints,
    boolean addrNeg,
    String message) {

  public DelegationNode {
    children = List.copyOf(children);
    endpoints = List.copyOf(endpoints);
  }

  public enum Kind {
    DELEGATE,
    ALT,
    UNION,
    LEAF,
    NEG,
    FAIL,
    EMPTY,
    EXCEPTION,
    TRANSFORMATION
  }

  /** A child, with its union weight (NaN when the parent is not a union). */
  public record Child(double weight, DelegationNode node) {}

  public static DelegationNode delegate(String path, String dentry, DelegationNode child) {
    return new DelegationNode(
        Kind.DELEGATE, path, dentry, List.of(new Child(Double.NaN, child)), "", "", List.of(), false, "");
  }

  public static DelegationNode alt(String path, String dentry, List<DelegationNode> members) {
    return new DelegationNode(
        Kind.ALT,
        path,
        dentry,
        members.stream().map(m -> new Child(Double.NaN, m)).toList(),
        "",
        "",
        List.of(),
        false,
        "");
  }

  public static DelegationNode union(String path, String dentry, List<Child> branches) {
    return new DelegationNode(Kind.UNION, path, dentry, branches, "", "", List.of(), false, "");
  }

  public static DelegationNode leaf(
      String path, String dentry, String boundId, String residual, List<String> endpoints, boolean addrNeg) {
    return new DelegationNode(
        Kind.LEAF, path, dentry, List.of(), boundId, residual, endpoints, addrNeg, "");
  }

  /** A childless node: neg, fail or empty. */
  public static DelegationNode terminal(Kind kind, String path, String dentry) {
    return new DelegationNode(kind, path, dentry, List.of(), "", "", List.of(), false, "");
  }

  public static DelegationNode exception(String path, String dentry, String message) {
    return new DelegationNode(
        Kind.EXCEPTION, path, dentry, List.of(), "", "", List.of(), false, message);
  }
}
