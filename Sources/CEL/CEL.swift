/// A small evaluator of the Common Expression Language, for Flux Provider `commitStatusExpr`.
/// Not built yet: see the CEL issue.
public enum CEL {}
